"""Training loops: supervised regression of importance, SUM-GAN's three players, DR-DSN's REINFORCE.

One video is one batch (videos differ in length). Checkpoints describe themselves (the network,
its config, the features it expects, the data it saw, the code version) and `last.pt` is written
after every epoch with the optimiser state, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..bench import protocol as P
from ..version import VERSION
from .nets import NETS, SUPERVISED, NetConfig


@dataclass
class Sequence:
    """One training video: (T, D) features and, for supervised models, a (T,) target."""

    key: str
    features: np.ndarray
    target: np.ndarray | None = None


@dataclass
class TrainOptions:
    model: str
    epochs: int = 60
    lr: float = 1e-4
    weight_decay: float = 1e-5
    seed: int = 0
    device: str = "auto"  # auto: a GPU when there is one
    episodes: int = 5  # dr-dsn: selections sampled per video and step
    net: NetConfig = field(default_factory=NetConfig)

    def resolved_device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)


@dataclass
class TrainResult:
    best_epoch: int
    best_val: float | None  # validation Kendall tau of the kept epoch (supervised only)
    history: list[dict]  # one row per epoch: losses, validation, seconds
    checkpoint: Path


Log = Callable[[dict], None]


def fit(train: list[Sequence], val: list[Sequence], options: TrainOptions, out: Path,
        provenance: dict, log: Log | None = None) -> TrainResult:
    """Train `options.model` on `train`; keep the epoch with the best validation tau (supervised)
    or the last epoch (unsupervised: no labels to select by). Writes out/best.pt and out/last.pt."""
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    device = options.resolved_device()
    net = NETS[options.model](options.net).to(device)
    step = _STEPS[options.model](net, options)
    start, history, best = 0, [], {"epoch": -1, "val": None}
    if (last := out / "last.pt").exists():  # resume
        state = torch.load(last, map_location=device, weights_only=False)
        _check_same_run(state, options)
        net.load_state_dict(state["state_dict"])
        step.load_state_dict(state["optimizers"])
        start, history, best = state["epoch"] + 1, state["history"], state["best"]
        rng = np.random.default_rng([options.seed, start])
    tensors = [_to_tensors(s, device) for s in train]
    for epoch in range(start, options.epochs):
        began = time.perf_counter()
        net.train()
        losses: dict[str, list[float]] = {}
        for i in rng.permutation(len(tensors)):
            for name, value in step(*tensors[i], key=int(i)).items():
                losses.setdefault(name, []).append(value)
        row = {"epoch": epoch, **{k: float(np.mean(v)) for k, v in losses.items()}}
        if options.model in SUPERVISED and val:
            row["val_tau"] = validation_tau(net, val, device)
        row["seconds"] = round(time.perf_counter() - began, 2)
        history.append(row)
        is_best = options.model not in SUPERVISED or not val or best["val"] is None or row["val_tau"] > best["val"]
        if is_best:
            best = {"epoch": epoch, "val": row.get("val_tau")}
            save_checkpoint(out / "best.pt", net, options, provenance, epoch, history, best)
        save_checkpoint(last, net, options, provenance, epoch, history, best, step.state_dict())
        if log:
            log(row)
    (out / "history.json").write_text(json.dumps(history, indent=1))
    return TrainResult(best["epoch"], best["val"], history, out / "best.pt")


def _to_tensors(s: Sequence, device) -> tuple[torch.Tensor, torch.Tensor | None]:
    x = torch.as_tensor(s.features, dtype=torch.float32, device=device)[None]  # (1, T, D)
    y = None if s.target is None else torch.as_tensor(s.target, dtype=torch.float32, device=device)[None]
    return x, y


@torch.no_grad()
def predict(net, features: np.ndarray, device=None) -> np.ndarray:
    """(T, D) -> (T,) scores, in eval mode (no dropout)."""
    net.eval()
    x = torch.as_tensor(features, dtype=torch.float32, device=device)[None]
    return net(x)[0][0].cpu().numpy()


def validation_tau(net, val: list[Sequence], device) -> float:
    """Mean Kendall tau-b against the targets of the validation videos (never test videos)."""
    return float(np.mean([P.rank_correlation(predict(net, s.features, device), s.target[None])[0] for s in val]))


def save_checkpoint(path: Path, net, options: TrainOptions, provenance: dict, epoch: int,
                    history: list[dict], best: dict, optimizers: dict | None = None) -> None:
    state = {
        "format": "vidgist.checkpoint/1",
        "model": options.model,
        "config": options.net.to_json(),
        "state_dict": net.state_dict(),
        "epoch": epoch,
        "best": best,
        "history": history,
        "options": {k: v for k, v in asdict(options).items() if k != "net"},
        "provenance": provenance,  # features (extractor, dim, fps), training data, split
        "vidgist": VERSION,
        "optimizers": optimizers,
    }
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)  # never a half-written checkpoint


def load_checkpoint(path: Path, device="cpu"):
    """The network a checkpoint describes, with its weights; refuses mismatched keys loudly."""
    state = torch.load(path, map_location=device, weights_only=False)
    if state.get("format") != "vidgist.checkpoint/1":
        raise ValueError(f"{path}: not a vidgist checkpoint")
    net = NETS[state["model"]](NetConfig(**state["config"]))
    net.load_state_dict(state["state_dict"], strict=True)
    return net.eval(), state


def _check_same_run(state: dict, options: TrainOptions) -> None:
    if state["model"] != options.model or state["config"] != options.net.to_json():
        raise ValueError("the output folder holds a checkpoint of a different model or config; "
                         "choose another --out or remove last.pt")


# -- one optimisation step per model: (x, target) -> {loss name: value} -------------------------

class _Step:
    def __init__(self, net, options: TrainOptions):
        self.net, self.options = net, options
        self.optimizers = self.make_optimizers()

    def make_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"all": self._adam(self.net.parameters())}

    def _adam(self, params) -> torch.optim.Optimizer:
        return torch.optim.Adam(params, lr=self.options.lr, weight_decay=self.options.weight_decay)

    def state_dict(self) -> dict:
        return {k: o.state_dict() for k, o in self.optimizers.items()}

    def load_state_dict(self, state: dict) -> None:
        for k, o in self.optimizers.items():
            o.load_state_dict(state[k])

    @staticmethod
    def _update(optimizer, loss: torch.Tensor, params=None) -> float:
        optimizer.zero_grad()
        loss.backward()
        if params is not None:
            torch.nn.utils.clip_grad_norm_(params, 5.0)
        optimizer.step()
        return float(loss.detach())


class SupervisedStep(_Step):
    def __call__(self, x, y, key: int) -> dict[str, float]:
        _, loss = self.net(x, y)
        return {"loss": self._update(self.optimizers["all"], loss)}


GAN_WEIGHT = 0.1  # sumgan: fooling the critic matters less than rebuilding the video


class SumGanStep(_Step):
    """SUM-GAN's alternating updates (Mahasseni et al. 2017, Algorithm 1), one critic update per
    step. Reconstruction counts twice: in feature space (what a VAE must do, and a curve that
    can be read across epochs) and in the critic's feature space (the paper's learned metric)."""

    def make_optimizers(self):
        n = self.net
        return {
            "encoder": self._adam([*n.selector.parameters(), *n.encoder.parameters(),
                                   *n.to_mu.parameters(), *n.to_logvar.parameters()]),
            "decoder": self._adam([*n.decoder.parameters(), *n.to_feature.parameters()]),
            # the critic learns 10x slower: at the same rate it wins within a few epochs and its
            # gradient drowns the reconstruction (measured: rebuilding got worse, not better)
            "critic": torch.optim.Adam([*n.critic_lstm.parameters(), *n.critic_out.parameters()],
                                       lr=self.options.lr / 10, weight_decay=self.options.weight_decay),
        }

    def _reconstruction(self, x, rebuilt) -> tuple[torch.Tensor, torch.Tensor]:
        feature = F.mse_loss(rebuilt, x)
        learned = F.mse_loss(self.net.critic(rebuilt)[1], self.net.critic(x)[1].detach())
        return feature, learned

    def __call__(self, x, _y, key: int) -> dict[str, float]:
        n, sigma = self.net, self.net.cfg.sparsity
        # selector + encoder: rebuild the video from the weighted frames, a prior on the latent,
        # and a selection that keeps about `sigma` of the frames
        scores = n.selector(x)
        rebuilt, mu, logvar = n.reconstruct(x, scores)
        feature, learned = self._reconstruction(x, rebuilt)
        prior = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
        sparsity = (scores.mean() - sigma).abs()
        e = self._update(self.optimizers["encoder"], feature + learned + prior + sparsity,
                         [p for g in self.optimizers["encoder"].param_groups for p in g["params"]])
        # decoder: rebuild well, and fool the critic
        with torch.no_grad():
            scores = n.selector(x)
        rebuilt, _, _ = n.reconstruct(x, scores)
        p_fake = n.critic(rebuilt)[0]
        d = self._update(self.optimizers["decoder"],
                         sum(self._reconstruction(x, rebuilt))
                         + GAN_WEIGHT * F.binary_cross_entropy(p_fake, torch.ones_like(p_fake)))
        # critic: real 1; rebuilt and prior samples 0
        with torch.no_grad():
            rebuilt, mu, _ = n.reconstruct(x, scores)
            prior_sample = n.decode(torch.randn_like(mu), x.shape[1])
        p_real, p_fake, p_prior = n.critic(x)[0], n.critic(rebuilt)[0], n.critic(prior_sample)[0]
        c = self._update(self.optimizers["critic"],
                         F.binary_cross_entropy(p_real, torch.ones_like(p_real))
                         + F.binary_cross_entropy(p_fake, torch.zeros_like(p_fake))
                         + F.binary_cross_entropy(p_prior, torch.zeros_like(p_prior)))
        return {"loss": e, "reconstruction": float(feature.detach()), "sparsity": float(sparsity.detach()),
                "decoder": d, "critic": c}


class ReinforceStep(_Step):
    """DR-DSN: sample selections from the policy, reward diversity + representativeness, move
    the policy towards selections that beat the video's running baseline (Zhou et al. 2018)."""

    def __init__(self, net, options):
        super().__init__(net, options)
        self.baselines: dict[int, float] = {}  # per training video: its running mean reward

    def state_dict(self) -> dict:
        return {**super().state_dict(), "baselines": dict(self.baselines)}

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.baselines = dict(state["baselines"])

    def __call__(self, x, _y, key: int) -> dict[str, float]:
        probs = self.net.policy(x)[0]  # (T,)
        dist = torch.distributions.Bernoulli(probs)
        rewards, log_probs = [], []
        for _ in range(self.options.episodes):
            picks = dist.sample()
            log_probs.append(dist.log_prob(picks).sum())
            rewards.append(self.net.reward(x[0], picks))
        rewards_t = torch.stack(rewards).detach()
        baseline = self.baselines.get(key, float(rewards_t.mean()))
        policy_loss = -((rewards_t - baseline) * torch.stack(log_probs)).mean()
        keep_half = 0.01 * (probs.mean() - 0.5) ** 2  # the paper's regulariser on the selection rate
        loss = policy_loss + keep_half
        self._update(self.optimizers["all"], loss, list(self.net.parameters()))
        self.baselines[key] = 0.9 * baseline + 0.1 * float(rewards_t.mean())
        return {"loss": float(loss.detach()), "reward": float(rewards_t.mean())}


_STEPS = {"lstm": SupervisedStep, "attention": SupervisedStep, "sumgan": SumGanStep, "dr-dsn": ReinforceStep}
