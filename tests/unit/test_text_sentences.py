from vidgist.text.sentences import (
    guess_language,
    is_cjk,
    sentences_from_words,
    split_sentences,
)
from vidgist.types import Word


def words(tokens, start=0.0, step=0.3, gap=0.05):
    """Whisper-like words, one every `step` seconds; a float in `tokens` adds that much silence."""
    out, t = [], start
    for tok in tokens:
        if isinstance(tok, float):
            t += tok
            continue
        out.append(Word(t, t + step - gap, text=tok, probability=0.9))
        t += step
    return out


def texts(sentences):
    return [s.text for s in sentences]


def test_english_splits_at_final_punctuation_but_not_after_an_abbreviation():
    ws = words([" Dr.", " Smith", " came", " home.", " Did", " he", " eat?", " Yes!", " Good"])
    got = sentences_from_words(ws, "en")
    assert texts(got) == ["Dr. Smith came home.", "Did he eat?", "Yes!", "Good"]
    assert got[0].start == ws[0].start and got[0].end == ws[3].end
    assert all(s.language == "en" and s.source == "speech" for s in got)


def test_english_without_punctuation_splits_at_a_pause():
    ws = words([" so", " we", " start", " here", 1.0, " and", " then", " we", " end", 0.5, " soon"])
    assert texts(sentences_from_words(ws, "en")) == ["so we start here", "and then we end soon"]


def test_chinese_without_punctuation_splits_at_pauses_and_keeps_no_spaces():
    ws = words(list("今天天气很好") + [1.2] + list("我们去公园散步吧") + [0.9] + list("晚上吃饭"), step=0.2)
    got = sentences_from_words(ws, "zh")
    assert texts(got) == ["今天天气很好", "我们去公园散步吧", "晚上吃饭"]
    assert got[1].start == ws[6].start and got[1].end == ws[13].end


def test_chinese_punctuation_ends_a_sentence_without_a_pause():
    ws = words(["我们", "开始", "吧。", "首先", "准备", "材料！", "好"])
    assert texts(sentences_from_words(ws, "zh")) == ["我们开始吧。", "首先准备材料！", "好"]


def test_long_chinese_without_pauses_breaks_at_a_comma_within_the_limit():
    text = "我们今天来讲一下如何做番茄炒蛋，首先要准备三个鸡蛋和两个番茄，然后把鸡蛋打散加一点盐，番茄切成小块备用"
    got = sentences_from_words(words(list(text), step=0.2), "zh")
    assert len(got) >= 2 and "".join(texts(got)) == text
    assert all(len(t) <= 40 for t in texts(got))
    assert all(t.endswith("，") for t in texts(got)[:-1])  # broken at clause marks, not mid-phrase


def test_long_english_without_punctuation_or_pauses_respects_max_chars():
    ws = words([f" word{i}" for i in range(40)])
    got = sentences_from_words(ws, "en", max_chars=60)
    assert len(got) > 1 and all(len(t) <= 60 for t in texts(got))
    assert " ".join(texts(got)) == "".join(w.text for w in ws).strip()


def test_empty_and_blank_words():
    assert sentences_from_words([], "en") == []
    assert sentences_from_words(words([" ", ""]), "en") == []


def test_language_is_guessed_when_not_given():
    got = sentences_from_words(words(list("你好世界")), "")
    assert got[0].language == "zh"


def test_split_sentences_english():
    text = 'Dr. Smith paid $3.50 for it. Really? He said "yes." Then\nanother line'
    assert split_sentences(text, "en") == [
        "Dr. Smith paid $3.50 for it.", "Really?", 'He said "yes."', "Then", "another line"
    ]


def test_split_sentences_chinese_and_long_pieces():
    assert split_sentences("他说：“好的。”我们走吧！你呢？好", "zh") == ["他说：“好的。”", "我们走吧！", "你呢？", "好"]
    long = "今天天气很好，我们去公园吧，" * 6
    parts = split_sentences(long, "zh")
    assert "".join(parts) == long and all(len(p) <= 40 for p in parts)


def test_is_cjk():
    assert is_cjk("我用Python写代码") and is_cjk("iPhone 手机")
    assert not is_cjk("Hello world") and not is_cjk("")
    assert guess_language("天气") == "zh" and guess_language("weather") == "en"
