"""The summarization networks of the literature, written for reading (torch: the `train` extra).

Every scorer network maps features x (B, T, D) to frame importance (B, T) in [0, 1]; that part is
what gets exported to ONNX and runs in the product. The unsupervised models carry the extra parts
they train with (autoencoder and critic; the reward), which are never exported.

- LSTMNet       vsLSTM (Zhang et al., ECCV 2016): a bidirectional LSTM regressor.
- AttentionNet  VASNet (Fajtl et al., 2018) global self-attention, plus PGL-SUM's (Apostolidis et
                al., 2021) local attention and positional encoding.
- SumGAN        SUM-GAN (Mahasseni et al., CVPR 2017): a selector LSTM weights the frames, an LSTM
                VAE rebuilds the sequence from the weighted one, an LSTM critic tells rebuilt from
                real, a sparsity term keeps the selection short. No labels.
- DRDSN         DR-DSN (Zhou et al., AAAI 2018): a BiLSTM policy picks frames by Bernoulli draws,
                rewarded for diversity and representativeness, trained by REINFORCE. No labels.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class NetConfig:
    dim: int = 1280  # feature size: 1280 for vidgist's EfficientNet-Lite0, 1024 for the h5 files
    hidden: int = 256  # LSTM units per direction; attention width
    dropout: float = 0.5
    window: int = 30  # attention: local window in sampled frames (15 s at 2 fps)
    sparsity: float = 0.3  # sumgan: the share of frames the selector should keep
    div_distance: int = 20  # dr-dsn: frames further apart than this count as fully dissimilar

    def to_json(self) -> dict:
        return asdict(self)


class BiLSTMHead(nn.Module):
    """x (B, T, D) -> (B, T) in [0, 1]: the frame scorer that vsLSTM, SUM-GAN and DR-DSN share."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.lstm = nn.LSTM(cfg.dim, cfg.hidden, batch_first=True, bidirectional=True)
        self.out = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(2 * cfg.hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(x)  # (B, T, 2H)
        return torch.sigmoid(self.out(h)).squeeze(-1)  # (B, T)


class LSTMNet(nn.Module):
    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.head = BiLSTMHead(cfg)

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None):
        scores = self.head(x)
        return scores, (None if target is None else F.mse_loss(scores, target))


def positional_encoding(t: int, width: int, device=None) -> torch.Tensor:
    """(T, W) sinusoidal encoding of the frame index (Vaswani et al. 2017)."""
    pos = torch.arange(t, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, width, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / width))
    pe = torch.zeros(t, width, device=device)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe


class SelfAttention(nn.Module):
    """Single-head scaled dot-product attention, as VASNet uses, with an optional band mask."""

    def __init__(self, width: int, dropout: float):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(width, width, bias=False) for _ in range(3))
        self.out = nn.Linear(width, width, bias=False)
        self.drop = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor, window: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self.q(h) @ self.k(h).transpose(1, 2) / math.sqrt(h.shape[-1])  # (B, T, T)
        if window is not None:  # local: each frame attends to frames within `window` of it
            idx = torch.arange(h.shape[1], device=h.device)
            far = (idx[:, None] - idx[None, :]).abs() > window
            logits = logits.masked_fill(far, float("-inf"))
        weights = torch.softmax(logits, dim=-1)  # (B, T, T), rows sum to 1
        return self.out(self.drop(weights) @ self.v(h)), weights


class AttentionNet(nn.Module):
    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.proj = nn.Linear(cfg.dim, cfg.hidden)
        self.global_att = SelfAttention(cfg.hidden, cfg.dropout)
        self.local_att = SelfAttention(cfg.hidden, cfg.dropout)
        self.norm = nn.LayerNorm(cfg.hidden)
        self.regress = nn.Sequential(nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU(), nn.Dropout(cfg.dropout),
                                     nn.LayerNorm(cfg.hidden), nn.Linear(cfg.hidden, 1))

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None):
        """x (B, T, D) -> scores (B, T), loss; `attend` gives the attention weights too."""
        scores, _ = self.attend(x)
        return scores, (None if target is None else F.mse_loss(scores, target))

    def attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.proj(x) + positional_encoding(x.shape[1], self.cfg.hidden, x.device)  # (B, T, W)
        g, weights = self.global_att(h)  # whole video: what recurs, what stands out
        loc, _ = self.local_att(h, self.cfg.window)  # a neighbourhood: what changes here
        h = self.norm(h + g + loc)  # residual, as in both papers
        return torch.sigmoid(self.regress(h)).squeeze(-1), weights


class SumGAN(nn.Module):
    """Selector, VAE (encoder, decoder) and critic. Only `selector` is the scorer."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.selector = BiLSTMHead(cfg)
        self.encoder = nn.LSTM(cfg.dim, cfg.hidden, batch_first=True)
        self.to_mu, self.to_logvar = nn.Linear(cfg.hidden, cfg.hidden), nn.Linear(cfg.hidden, cfg.hidden)
        self.decoder = nn.LSTM(cfg.hidden, cfg.hidden, batch_first=True)
        self.to_feature = nn.Linear(cfg.hidden, cfg.dim)
        self.critic_lstm = nn.LSTM(cfg.dim, cfg.hidden, batch_first=True)
        self.critic_out = nn.Linear(cfg.hidden, 1)

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None):
        return self.selector(x), None

    def reconstruct(self, x: torch.Tensor, scores: torch.Tensor):
        """Encode the score-weighted sequence to one latent, decode a whole sequence from it.

        Returns the rebuilt (B, T, D) sequence, mu and logvar (B, Hd)."""
        _, (h, _) = self.encoder(x * scores[..., None])  # h (1, B, Hd): the summary's gist
        mu, logvar = self.to_mu(h[-1]), self.to_logvar(h[-1])
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)  # reparameterisation
        return self.decode(z, x.shape[1]), mu, logvar

    def decode(self, z: torch.Tensor, t: int) -> torch.Tensor:
        """The latent at every step, plus where in the video the step is: one vector alone can
        only give back the video's mean frame."""
        steps = z[:, None, :] + positional_encoding(t, z.shape[-1], z.device)[None]  # (B, T, Hd)
        h, _ = self.decoder(steps)  # (B, T, Hd)
        return self.to_feature(h)  # (B, T, D)

    def critic(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, D) -> P(real) (B,) and the critic's last state (B, Hd), the space in which
        SUM-GAN measures reconstruction (a learned metric rather than raw feature distance)."""
        _, (h, _) = self.critic_lstm(x)
        return torch.sigmoid(self.critic_out(h[-1])).squeeze(-1), h[-1]


class DRDSN(nn.Module):
    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.policy = BiLSTMHead(cfg)

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None):
        return self.policy(x), None

    def reward(self, x: torch.Tensor, picks: torch.Tensor) -> torch.Tensor:
        """Diversity + representativeness of one selection. x (T, D), picks (T,) 0/1 -> scalar."""
        chosen = picks.nonzero().squeeze(-1)
        if len(chosen) < 2:
            return x.new_zeros(())
        xn = F.normalize(x, dim=-1)
        dissim = 1 - xn[chosen] @ xn[chosen].T  # (S, S)
        far = (chosen[:, None] - chosen[None, :]).abs() > self.cfg.div_distance
        dissim = dissim.masked_fill(far, 1.0)  # distant frames are different moments anyway
        diversity = dissim.sum() / (len(chosen) * (len(chosen) - 1))
        dist = torch.cdist(x, x[chosen]).min(dim=1).values  # (T,) to the nearest chosen frame
        representativeness = torch.exp(-dist.mean())
        return diversity + representativeness


NETS: dict[str, type[nn.Module]] = {"lstm": LSTMNet, "attention": AttentionNet, "sumgan": SumGAN, "dr-dsn": DRDSN}
SUPERVISED = ("lstm", "attention")
UNSUPERVISED = ("sumgan", "dr-dsn")
