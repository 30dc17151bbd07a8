// The page's strings in English and Chinese, the chosen language, and how elements carrying
// data-i18n="key" (and optional data-i18n-args='{"n": 3}') get their text: an input its
// placeholder, a <track> its label, anything else its text.

const STRINGS = {
  en: {
    tagline: "The gist of a long video, offline",
    langSwitch: "中文",
    uploadTitle: "Upload a video",
    dropHint: "Drop a video here, or click to choose a file",
    chosenFile: "Chosen: {name}",
    lengthPercent: "Length (% of the video)",
    lengthPlaceholder: "15",
    queryLabel: "Focus on (optional)",
    queryPlaceholder: "e.g. a bird, the goal, the demo",
    languageLabel: "Spoken language",
    languagePlaceholder: "auto (en, zh, …)",
    speechLabel: "Speech recognition",
    "speech.accurate": "Accurate",
    "speech.fast": "Fast (English only)",
    "speech.off": "Off",
    ocrLabel: "Read text on screen",
    summarize: "Summarize",
    noFile: "Choose a video first.",
    uploading: "Uploading… {percent}%",
    uploadFailed: "Upload failed: {detail}",
    tooLarge: "The file is too large for this server.",
    networkError: "The server could not be reached.",
    pastJobs: "Past jobs",
    noJobs: "No jobs yet.",
    colName: "Name",
    colStatus: "Status",
    colProgress: "Progress",
    colCreated: "Created",
    colActions: "Actions",
    cancel: "Cancel",
    delete: "Delete",
    confirmDelete: "Delete this job and its files?",
    "status.queued": "Queued",
    "status.running": "Running",
    "status.done": "Done",
    "status.failed": "Failed",
    "status.cancelled": "Cancelled",
    "stage.analyze": "Analyzing the picture",
    "stage.speech": "Recognizing speech",
    "stage.text on screen": "Reading text on screen",
    "stage.render": "Rendering the highlight",
    back: "← All jobs",
    jobNotFound: "This job does not exist.",
    loadFailed: "Could not load: {detail}",
    errorLabel: "Error: {detail}",
    highlight: "Highlight",
    noHighlight: "No highlight video was rendered.",
    original: "Original",
    importance: "Importance",
    timeAxis: "time (s)",
    plotHint: "Click the curve to play the original from there; shaded: the parts in the highlight.",
    adjust: "Adjust the highlight",
    length: "Length",
    lengthValue: "{seconds} s ({percent}%)",
    query: "Focus on",
    apply: "Apply",
    updating: "Updating the highlight…",
    updated: "Updated: {seconds} s in {count} parts.",
    reselectFailed: "Could not update: {detail}",
    summaryInfo: "{highlight} s of {duration} s in {count} parts",
    storyboard: "Storyboard",
    storyboardHint: "Framed: in the highlight. Click a picture to play the original from there.",
    textSummary: "Text summary",
    noSummary: "No text summary.",
    summaryHint: "Marked lines are in the highlight.",
    "source.speech": "speech",
    "source.screen": "on screen",
    "source.labels": "picture",
    chapters: "Chapters",
    noChapters: "No chapters.",
    transcript: "Transcript",
    transcriptSearch: "Search the transcript",
    noTranscript: "No transcript (speech recognition was off, or nothing was said).",
    noMatches: "No line matches.",
    downloads: "Downloads",
    warnings: "Warnings",
    "output.video": "Highlight video",
    "output.storyboard": "Storyboard image",
    "output.chapters": "Chapters (text)",
    "output.chapters_vtt": "Chapters (WebVTT)",
    "output.subtitles_vtt": "Highlight subtitles (WebVTT)",
    "output.subtitles_srt": "Highlight subtitles (SRT)",
    "output.transcript": "Transcript (text)",
    "output.transcript_vtt": "Transcript (WebVTT)",
    "output.transcript_srt": "Transcript (SRT)",
    "output.markdown": "Summary (Markdown)",
    "output.json": "Summary (JSON)",
  },
  zh: {
    tagline: "离线提取长视频的要点",
    langSwitch: "English",
    uploadTitle: "上传视频",
    dropHint: "把视频拖到这里，或点击选择文件",
    chosenFile: "已选择：{name}",
    lengthPercent: "摘要长度（占视频的百分比）",
    lengthPlaceholder: "15",
    queryLabel: "重点内容（可选）",
    queryPlaceholder: "例如：一只鸟、进球、演示",
    languageLabel: "语音语言",
    languagePlaceholder: "自动（en、zh…）",
    speechLabel: "语音识别",
    "speech.accurate": "精确",
    "speech.fast": "快速（仅英语）",
    "speech.off": "关闭",
    ocrLabel: "识别画面文字",
    summarize: "生成摘要",
    noFile: "请先选择一个视频。",
    uploading: "正在上传… {percent}%",
    uploadFailed: "上传失败：{detail}",
    tooLarge: "文件太大，服务器无法接收。",
    networkError: "无法连接服务器。",
    pastJobs: "历史任务",
    noJobs: "还没有任务。",
    colName: "名称",
    colStatus: "状态",
    colProgress: "进度",
    colCreated: "创建时间",
    colActions: "操作",
    cancel: "取消",
    delete: "删除",
    confirmDelete: "删除此任务及其文件？",
    "status.queued": "排队中",
    "status.running": "处理中",
    "status.done": "已完成",
    "status.failed": "失败",
    "status.cancelled": "已取消",
    "stage.analyze": "分析画面",
    "stage.speech": "识别语音",
    "stage.text on screen": "识别画面文字",
    "stage.render": "生成精华视频",
    back: "← 全部任务",
    jobNotFound: "该任务不存在。",
    loadFailed: "加载失败：{detail}",
    errorLabel: "错误：{detail}",
    highlight: "精华视频",
    noHighlight: "没有生成精华视频。",
    original: "原视频",
    importance: "重要性",
    timeAxis: "时间（秒）",
    plotHint: "点击曲线即从该处播放原视频；阴影部分为精华视频包含的片段。",
    adjust: "调整精华视频",
    length: "长度",
    lengthValue: "{seconds} 秒（{percent}%）",
    query: "重点内容",
    apply: "应用",
    updating: "正在更新精华视频…",
    updated: "已更新：{count} 个片段，共 {seconds} 秒。",
    reselectFailed: "更新失败：{detail}",
    summaryInfo: "精华 {highlight} 秒 / 原视频 {duration} 秒，共 {count} 个片段",
    storyboard: "故事板",
    storyboardHint: "带边框的画面在精华视频中。点击画面即从该处播放原视频。",
    textSummary: "文字摘要",
    noSummary: "没有文字摘要。",
    summaryHint: "带标记的内容在精华视频中。",
    "source.speech": "语音",
    "source.screen": "画面文字",
    "source.labels": "画面内容",
    chapters: "章节",
    noChapters: "没有章节。",
    transcript: "文字记录",
    transcriptSearch: "搜索文字记录",
    noTranscript: "没有文字记录（语音识别已关闭，或视频中没有说话）。",
    noMatches: "没有匹配的内容。",
    downloads: "下载",
    warnings: "提示",
    "output.video": "精华视频",
    "output.storyboard": "故事板图片",
    "output.chapters": "章节（文本）",
    "output.chapters_vtt": "章节（WebVTT）",
    "output.subtitles_vtt": "精华字幕（WebVTT）",
    "output.subtitles_srt": "精华字幕（SRT）",
    "output.transcript": "文字记录（文本）",
    "output.transcript_vtt": "文字记录（WebVTT）",
    "output.transcript_srt": "文字记录（SRT）",
    "output.markdown": "摘要（Markdown）",
    "output.json": "摘要（JSON）",
  },
};

const STORAGE_KEY = "vidgist.lang";
let lang = initialLang();

function initialLang() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved in STRINGS) return saved;
  return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function currentLang() {
  return lang;
}

export function hasString(key) {
  return key in STRINGS.en;
}

/** The string for key in the current language, with {name} replaced from args. */
export function t(key, args = {}) {
  const template = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? String(args[name]) : whole));
}

/** Give el the string for key (and remember key and args, so a language switch redoes it). */
export function setText(el, key, args) {
  el.dataset.i18n = key;
  if (args) el.dataset.i18nArgs = JSON.stringify(args);
  else delete el.dataset.i18nArgs;
  translate(el);
  return el;
}

function translate(el) {
  const args = el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : {};
  const text = t(el.dataset.i18n, args);
  if (el instanceof HTMLInputElement) el.placeholder = text;
  else if (el instanceof HTMLTrackElement) el.label = text;
  else el.textContent = text;
}

/** Translate every data-i18n element under root and mark the document's language. */
export function applyI18n(root = document) {
  document.documentElement.lang = lang;
  root.querySelectorAll("[data-i18n]").forEach(translate);
}

export function toggleLang() {
  lang = lang === "en" ? "zh" : "en";
  localStorage.setItem(STORAGE_KEY, lang);
  applyI18n();
}
