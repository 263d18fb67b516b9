#!/usr/bin/env python3
"""Greedy batch-1 decode of sgl's reference decoder in PyTorch: the baseline for the cuda platform.

  torch_decode.py --shape tiny|1b --mode eager|graph [--tokens N] [--prompt-len P] [--repeats R]
  torch_decode.py --bandwidth [--bandwidth-mib M] [--repeats R]

Needs a CUDA GPU and PyTorch 2.x. Prints one JSON line per measurement on stdout (and a median line
per run); nothing else goes to stdout.

What it measures
  decode     N greedy decode steps after a P-token prompt, timed with a synchronised perf_counter
             around the N steps (each step ends in a host synchronisation anyway, see below), after
             warm-up; tokens_per_s = N / seconds. Repeated R times from the same prompt.
  bandwidth  device-to-device copy of one large buffer (dst.copy_(src)), timed with CUDA events;
             bytes moved = 2 x size (read + write); the median of R copies.

How it mirrors sgl's decoder (the device-operations spec's reference decoder)
  - Same model: embedding [V, H]; per layer attn_norm, w_qkv [(Hq + 2 Hkv) D, H], w_o [H, Hq D],
    mlp_norm, w_gate_up [2F, H] (gate rows, then up rows), w_down [H, F]; final_norm; lm_head [V, H].
    Weights are random with the spec's ranges (matrices U(-sqrt(3/in), sqrt(3/in)), norms U(0.9, 1.1),
    embedding U(-1, 1)) drawn by torch.rand, not by FillUniform: the values differ from sgl's, the
    shapes, dtypes and bytes do not.
  - Same forward: RmsNorm (eps 1e-5) with the residual add fused after layer 0 and the residual rounded
    to the model dtype, rotary on interleaved pairs of the first Hq + Hkv heads from a float32 cos/sin
    table (theta 10000, computed in double), the k and v rows written into a per-layer KV cache,
    causal attention with scale 1/sqrt(D) and a float32 softmax, SiLU(gate) * up, argmax of the last
    row's logits. Norms, rotary and softmax compute in float32 like sgl's kernels; matmuls use the
    model dtype with cuBLAS (float32 accumulation).
  - Same host loop: batch 1, one token per step; the argmax token id is copied to the host every step
    (pinned memory, then a stream synchronisation) and the next step's input is written from the host,
    as sgl's runtime does.
  - eager: each step launches its kernels; the KV cache is a static preallocated tensor per layer,
    written at the step's position, and attention reads cache[:pos + 1].
  - graph: one decode step is captured once in a torch.cuda.CUDAGraph with static inputs (token id,
    position) and an attention mask over the whole static cache (positions > pos masked), then
    replayed per token. The cache is sized to the request (prompt, warm-up and timed tokens), as a
    static-cache decoder sizes it, so the masked attention reads at most that many positions (sgl's
    kernel reads positions 0..pos).

Shapes: tiny ("sgl-tiny"): V 258, H 64, 4 layers, Hq = Hkv = 4, D 16, F 128, float32, context 2048.
1b ("sgl-synthetic-1b"): V 32000, H 2048, 16 layers, Hq = Hkv = 16, D 128, F 8192, bfloat16, context 4096.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch

SHAPES = {
    "tiny": dict(vocab=258, hidden=64, layers=4, q_heads=4, kv_heads=4, head_dim=16, ffn=128, dtype=torch.float32, context=2048),
    "1b": dict(vocab=32000, hidden=2048, layers=16, q_heads=16, kv_heads=16, head_dim=128, ffn=8192, dtype=torch.bfloat16, context=4096),
}
EPS = 1e-5
THETA = 10000.0


def uniform(shape, low, high, dtype, device, generator):
    return (torch.rand(shape, generator=generator, device=device, dtype=torch.float32) * (high - low) + low).to(dtype)


def matrix(out_features, in_features, dtype, device, generator):
    bound = math.sqrt(3.0 / in_features)
    return uniform((out_features, in_features), -bound, bound, dtype, device, generator)


class Decoder:
    """The reference decoder with a static KV cache; step() runs one token at one position."""

    def __init__(self, shape, device, context, seed=0):
        s = dict(SHAPES[shape], context=context)
        self.__dict__.update(s)
        dtype, g = s["dtype"], torch.Generator(device=device).manual_seed(seed)
        h, d, hq, hkv, f = s["hidden"], s["head_dim"], s["q_heads"], s["kv_heads"], s["ffn"]
        self.embedding = uniform((s["vocab"], h), -1.0, 1.0, dtype, device, g)
        self.layers_w = []
        for _ in range(s["layers"]):
            self.layers_w.append(dict(
                attn_norm=uniform((h,), 0.9, 1.1, dtype, device, g),
                w_qkv=matrix((hq + 2 * hkv) * d, h, dtype, device, g),
                w_o=matrix(h, hq * d, dtype, device, g),
                mlp_norm=uniform((h,), 0.9, 1.1, dtype, device, g),
                w_gate_up=matrix(2 * f, h, dtype, device, g),
                w_down=matrix(h, f, dtype, device, g),
            ))
        self.final_norm = uniform((h,), 0.9, 1.1, dtype, device, g)
        self.lm_head = matrix(s["vocab"], h, dtype, device, g)
        # cos_sin[p, i] = cos(p * theta^(-2i/D)), cos_sin[p, D/2 + i] = sin(same), computed in double.
        inv = THETA ** (-torch.arange(0, d // 2, dtype=torch.float64) * 2.0 / d)
        angles = torch.arange(s["context"], dtype=torch.float64)[:, None] * inv[None, :]
        self.cos = torch.cos(angles).to(torch.float32).to(device)
        self.sin = torch.sin(angles).to(torch.float32).to(device)
        # Caches [Hkv, context, D] per layer, so each head's keys are contiguous.
        self.k_cache = [torch.zeros((hkv, s["context"], d), dtype=dtype, device=device) for _ in range(s["layers"])]
        self.v_cache = [torch.zeros((hkv, s["context"], d), dtype=dtype, device=device) for _ in range(s["layers"])]
        self.positions = torch.arange(s["context"], device=device)
        self.scale = 1.0 / math.sqrt(d)

    def weight_bytes(self):
        """Bytes a decode step reads from weights: everything but the embedding, plus one embedding row."""
        total = sum(t.numel() * t.element_size() for w in self.layers_w for t in w.values())
        total += (self.final_norm.numel() + self.lm_head.numel()) * self.lm_head.element_size()
        return total + self.embedding.shape[1] * self.embedding.element_size()

    def rms_norm(self, x, weight):
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + EPS) * weight.float()).to(self.dtype)

    def rotate(self, heads, cos, sin):
        """Interleaved pairs (2i, 2i + 1) of each head, in float32."""
        x = heads.float().view(heads.shape[0], -1, 2)
        a, b = x[..., 0], x[..., 1]
        return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).view(heads.shape).to(self.dtype)

    def step(self, token, position, position_int=None):
        """One decode token: token and position are int64 [1] device tensors. With position_int (eager)
        attention reads cache[:pos + 1]; without it (graph capture) it reads the whole cache under a mask.
        Returns the argmax token id as an int64 [1] device tensor."""
        hq, hkv, d = self.q_heads, self.kv_heads, self.head_dim
        group = hq // hkv
        cos, sin = self.cos.index_select(0, position), self.sin.index_select(0, position)  # [1, D/2]
        if position_int is None:
            mask = torch.where(self.positions <= position, 0.0, float("-inf"))  # [context]
        x = self.embedding.index_select(0, token)  # [1, H]
        residual, mlp_out = x, None
        for layer, w in enumerate(self.layers_w):
            if layer == 0:
                h = self.rms_norm(x, w["attn_norm"])
            else:
                residual = residual + mlp_out
                h = self.rms_norm(residual, w["attn_norm"])
            qkv = h @ w["w_qkv"].t()  # [1, (Hq + 2 Hkv) D]
            heads = qkv.view(hq + 2 * hkv, d)
            rotated = self.rotate(heads[: hq + hkv], cos, sin)
            q, k, v = rotated[:hq], rotated[hq:], heads[hq + hkv:]
            self.k_cache[layer].index_copy_(1, position, k.view(hkv, 1, d))
            self.v_cache[layer].index_copy_(1, position, v.view(hkv, 1, d))
            if position_int is None:
                keys, values = self.k_cache[layer], self.v_cache[layer]
            else:
                keys, values = self.k_cache[layer][:, : position_int + 1], self.v_cache[layer][:, : position_int + 1]
            scores = torch.matmul(q.view(hkv, group, d), keys.transpose(1, 2)).float() * self.scale  # [Hkv, G, n]
            if position_int is None:
                scores = scores + mask
            probs = torch.softmax(scores, dim=-1).to(self.dtype)
            attended = torch.matmul(probs, values).reshape(1, hq * d)
            o = attended @ w["w_o"].t()
            residual = residual + o
            h = self.rms_norm(residual, w["mlp_norm"])
            gate_up = h @ w["w_gate_up"].t()
            gate, up = gate_up[:, : self.ffn], gate_up[:, self.ffn:]
            mlp_out = ((gate.float() * torch.sigmoid(gate.float())) * up.float()).to(self.dtype) @ w["w_down"].t()
        residual = residual + mlp_out
        h = self.rms_norm(residual, self.final_norm)
        return torch.argmax(h @ self.lm_head.t(), dim=-1)


class EagerRunner:
    def __init__(self, model, device):
        self.model, self.device = model, device
        self.host_token = torch.zeros(1, dtype=torch.int64).pin_memory()

    def __call__(self, token, position):
        m = self.model
        t = torch.tensor([token], dtype=torch.int64, device=self.device)
        p = torch.tensor([position], dtype=torch.int64, device=self.device)
        self.host_token.copy_(m.step(t, p, position), non_blocking=True)
        torch.cuda.current_stream().synchronize()
        return int(self.host_token[0])


class GraphRunner:
    """One captured decode step, replayed per token with host-written inputs."""

    def __init__(self, model, device):
        self.token = torch.zeros(1, dtype=torch.int64, device=device)
        self.position = torch.zeros(1, dtype=torch.int64, device=device)
        self.next = torch.zeros(1, dtype=torch.int64, device=device)
        self.host_in = torch.zeros(2, dtype=torch.int64).pin_memory()
        self.host_next = torch.zeros(1, dtype=torch.int64).pin_memory()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm-up before capture, as CUDA graphs need
            for _ in range(3):
                self.next.copy_(model.step(self.token, self.position))
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.next.copy_(model.step(self.token, self.position))

    def __call__(self, token, position):
        self.host_in[0], self.host_in[1] = token, position
        self.token.copy_(self.host_in[0:1], non_blocking=True)
        self.position.copy_(self.host_in[1:2], non_blocking=True)
        self.graph.replay()
        self.host_next.copy_(self.next, non_blocking=True)
        torch.cuda.current_stream().synchronize()
        return int(self.host_next[0])


def environment(device):
    return {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(device)}


def emit(record):
    print(json.dumps(record), flush=True)


def decode(args, device):
    limit = SHAPES[args.shape]["context"]
    if args.prompt_len < 1 or args.prompt_len + args.tokens + 8 > limit:
        sys.exit(f"--prompt-len {args.prompt_len} + --tokens {args.tokens} + 8 warm-up steps must fit the context of {limit} (prompt at least 1)")
    model = Decoder(args.shape, device, context=args.prompt_len + args.tokens + 8)
    runner = EagerRunner(model, device) if args.mode == "eager" else GraphRunner(model, device)
    prompt = torch.randint(0, model.vocab, (args.prompt_len,), generator=torch.Generator().manual_seed(1)).tolist()
    token = 0
    for position, prompt_token in enumerate(prompt):  # prefill one token at a time (not timed)
        token = runner(prompt_token, position)
    first = token
    for position in range(args.prompt_len, args.prompt_len + min(8, args.tokens)):  # warm-up
        token = runner(token, position)
    rates = []
    kv_bytes_per_position = 2 * model.layers * model.kv_heads * model.head_dim * model.embedding.element_size()
    for repeat in range(args.repeats):
        token = first
        torch.cuda.synchronize()
        start = time.perf_counter()
        for position in range(args.prompt_len, args.prompt_len + args.tokens):
            token = runner(token, position)
        seconds = time.perf_counter() - start
        rates.append(args.tokens / seconds)
        # Bytes sgl's kernels read per token: the weights once, and the KV of positions 0..pos.
        mean_positions = args.prompt_len + (args.tokens + 1) / 2
        bytes_per_token = model.weight_bytes() + kv_bytes_per_position * mean_positions
        emit({"kind": "decode", "shape": args.shape, "mode": args.mode, "dtype": str(model.dtype).replace("torch.", ""),
              "prompt_len": args.prompt_len, "tokens": args.tokens, "repeat": repeat, "seconds": seconds,
              "tokens_per_s": args.tokens / seconds, "bytes_per_token": int(bytes_per_token),
              "effective_gb_per_s": bytes_per_token * args.tokens / seconds / 1e9, "last_token": token, **environment(device)})
    emit({"kind": "decode-median", "shape": args.shape, "mode": args.mode, "prompt_len": args.prompt_len, "tokens": args.tokens,
          "repeats": args.repeats, "tokens_per_s": statistics.median(rates), **environment(device)})


def bandwidth(args, device):
    size = args.bandwidth_mib * 1024 * 1024
    source = torch.ones(size, dtype=torch.uint8, device=device)
    destination = torch.empty_like(source)
    for _ in range(3):
        destination.copy_(source)
    times = []
    for _ in range(args.repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        destination.copy_(source)
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1000.0)
    seconds = statistics.median(times)
    emit({"kind": "bandwidth", "bytes_moved": 2 * size, "repeats": args.repeats, "seconds": seconds,
          "gb_per_s": 2 * size / seconds / 1e9, **environment(device)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    parser.add_argument("--mode", choices=["eager", "graph"], default="eager")
    parser.add_argument("--tokens", type=int, default=128, help="decode steps timed (default 128)")
    parser.add_argument("--prompt-len", type=int, default=8, help="prompt tokens before decoding (default 8)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repetitions (default 5)")
    parser.add_argument("--bandwidth", action="store_true", help="measure device-to-device copy bandwidth instead of decoding")
    parser.add_argument("--bandwidth-mib", type=int, default=1024, help="size of the copied buffer (default 1024 MiB)")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("torch_decode.py needs a CUDA GPU (torch.cuda.is_available() is False)")
    if args.tokens < 1 or args.repeats < 1:
        sys.exit("--tokens and --repeats must be at least 1")
    device = torch.device("cuda", torch.cuda.current_device())
    with torch.no_grad():
        if args.bandwidth:
            bandwidth(args, device)
        else:
            decode(args, device)


if __name__ == "__main__":
    main()
