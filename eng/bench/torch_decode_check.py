#!/usr/bin/env python3
"""Checks that torch_decode.py's decoder is the spec's reference decoder, on a CPU.

  python3 eng/bench/torch_decode_check.py      # needs gcc and PyTorch (CPU is enough: Debian's python3-torch)

The same weights run through two implementations, token by token with the same inputs (teacher forcing):
  - torch_decode.Decoder.step, on the CPU, in both of its attention forms: eager (cache[:pos + 1]) and the
    graph form (the whole cache under a mask);
  - the spec's forward composed from the device operations, each run by the libcuda test shim's C
    emulation of its kernel (tests/Sgl.Platforms.Tests/BuiltIn/Cuda/cuda_shim.c), launched through the
    driver API with the ABI's grids and blocks on the committed PTX module image.
Shapes: sgl-tiny (float32) and a small grouped-query bfloat16 model (Hq 4, Hkv 2). Passes when the greedy
tokens agree and the logits differ by at most 1e-4 (float32) or a few bfloat16 steps (0.08: bfloat16
activations rounded in a different order); a semantic difference (rotary pairs, head grouping, the fused
residual) moves logits by O(1). Exits 1 on a mismatch.
"""
import ctypes
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import torch_decode  # noqa: E402

torch_decode.SHAPES["gqa-bf16"] = dict(vocab=300, hidden=128, layers=2, q_heads=4, kv_heads=2, head_dim=32, ffn=256, dtype=torch.bfloat16, context=64)
ARGUMENT_TYPES = {"p": ctypes.c_ulonglong, "i": ctypes.c_int, "f": ctypes.c_float}


class ShimDevice:
    """The device operations through the libcuda shim's driver API."""

    def __init__(self, library):
        self.lib = ctypes.CDLL(library)
        self.lib.cuShimLastMessage.restype = ctypes.c_char_p
        context, device = ctypes.c_void_p(), ctypes.c_int()
        self.check(self.lib.cuInit(0), "cuInit")
        self.check(self.lib.cuDeviceGet(ctypes.byref(device), 0), "cuDeviceGet")
        self.check(self.lib.cuDevicePrimaryCtxRetain(ctypes.byref(context), device), "cuDevicePrimaryCtxRetain")
        self.check(self.lib.cuCtxSetCurrent(context), "cuCtxSetCurrent")
        with open(os.path.join(REPO, "src/Sgl.Platforms/BuiltIn/Cuda/Kernels/sgl_kernels.ptx"), "rb") as ptx:
            image = ptx.read() + b"\0"
        self.module = ctypes.c_void_p()
        self.check(self.lib.cuModuleLoadDataEx(ctypes.byref(self.module), image, 0, None, None), "cuModuleLoadDataEx")
        self.functions = {}

    def check(self, result, call):
        if result != 0:
            sys.exit(f"{call} failed with CUresult {result}: {self.lib.cuShimLastMessage().decode()}")

    def alloc(self, nbytes):
        pointer = ctypes.c_ulonglong()
        self.check(self.lib.cuMemAlloc_v2(ctypes.byref(pointer), ctypes.c_size_t(nbytes)), "cuMemAlloc")
        return pointer.value

    def upload(self, tensor):
        tensor = tensor.contiguous()
        nbytes = tensor.numel() * tensor.element_size()
        pointer = self.alloc(nbytes)
        self.check(self.lib.cuMemcpyHtoD_v2(ctypes.c_ulonglong(pointer), ctypes.c_void_p(tensor.data_ptr()), ctypes.c_size_t(nbytes)), "cuMemcpyHtoD")
        return pointer

    def download(self, pointer, count, dtype):
        tensor = torch.empty(count, dtype=dtype)
        nbytes = tensor.numel() * tensor.element_size()
        self.check(self.lib.cuMemcpyDtoH_v2(ctypes.c_void_p(tensor.data_ptr()), ctypes.c_ulonglong(pointer), ctypes.c_size_t(nbytes)), "cuMemcpyDtoH")
        return tensor

    def launch(self, name, grid, threads, *arguments):
        if name not in self.functions:
            function = ctypes.c_void_p()
            self.check(self.lib.cuModuleGetFunction(ctypes.byref(function), self.module, name.encode()), f"cuModuleGetFunction({name})")
            self.functions[name] = function
        values = [ARGUMENT_TYPES[kind](value) for kind, value in arguments]
        params = (ctypes.c_void_p * len(values))(*[ctypes.cast(ctypes.byref(v), ctypes.c_void_p) for v in values])
        self.check(self.lib.cuLaunchKernel(self.functions[name], grid[0], grid[1], 1, threads, 1, 1, 0, None, params, None), name)


class SpecDecoder:
    """The spec's forward of one decode token, op by op, on the shim, with a Decoder's weights."""

    def __init__(self, device, model):
        self.d, self.m = device, model
        self.suffix = "f32" if model.dtype == torch.float32 else "bf16"
        size = 4 if model.dtype == torch.float32 else 2
        m, up = model, device.upload
        self.weights = [{k: up(v) for k, v in w.items()} for w in m.layers_w]
        self.embedding, self.final_norm, self.lm_head = up(m.embedding), up(m.final_norm), up(m.lm_head)
        self.cos_sin = up(independent_cos_sin(m.context, m.head_dim))
        width = m.kv_heads * m.head_dim
        self.k_cache = [device.alloc(m.context * width * size) for _ in m.layers_w]
        self.v_cache = [device.alloc(m.context * width * size) for _ in m.layers_w]
        self.slots = up(torch.arange(m.context, dtype=torch.int32).view(1, -1))  # slot = position
        buffer = lambda n: device.alloc(n * size)  # noqa: E731
        qkv_width = (m.q_heads + 2 * m.kv_heads) * m.head_dim
        self.x, self.residual, self.h, self.o, self.mlp = (buffer(m.hidden) for _ in range(5))
        self.qkv, self.attended = buffer(qkv_width), buffer(m.q_heads * m.head_dim)
        self.gate_up, self.act, self.logits = buffer(2 * m.ffn), buffer(m.ffn), buffer(m.vocab)
        self.token, self.position, self.next = (device.alloc(4) for _ in range(3))

    def op(self, name, grid, threads, *arguments):
        self.d.launch(f"sgl_{name}_{self.suffix}", grid, threads, *arguments)

    def matmul(self, x, w, y, n, k):
        self.op("matmul", ((n + 7) // 8, 1), 256, ("p", x), ("p", w), ("p", y), ("i", 1), ("i", n), ("i", k))

    def rms_norm(self, x, w, out, residual):
        self.op("rms_norm", (1, 1), 256, ("p", x), ("p", w), ("p", out), ("p", residual), ("i", 1), ("i", self.m.hidden), ("f", 1e-5))

    def step(self, token, position):
        m, d = self.m, self.d
        hq, hkv, hd, hidden = m.q_heads, m.kv_heads, m.head_dim, m.hidden
        d.check(d.lib.cuMemcpyHtoD_v2(ctypes.c_ulonglong(self.token), ctypes.byref(ctypes.c_int(token)), ctypes.c_size_t(4)), "cuMemcpyHtoD")
        d.check(d.lib.cuMemcpyHtoD_v2(ctypes.c_ulonglong(self.position), ctypes.byref(ctypes.c_int(position)), ctypes.c_size_t(4)), "cuMemcpyHtoD")
        self.op("embedding_gather", (1, 1), 256, ("p", self.embedding), ("p", self.token), ("p", self.x), ("i", 1), ("i", hidden), ("i", m.vocab))
        self.op("add", ((hidden + 255) // 256, 1), 256, ("p", self.x), ("p", self.x), ("p", self.residual), ("i", 1), ("i", hidden), ("i", 1),
                ("f", 1.0), ("f", 0.0))  # residual = x
        paged = lambda layer: (("p", self.qkv), ("p", self.k_cache[layer]), ("p", self.v_cache[layer]), ("p", self.slots),  # noqa: E731
                               ("p", self.position))
        shape = (("i", 1), ("i", hq), ("i", hkv), ("i", hd), ("i", 1), ("i", m.context), ("i", m.context))
        for layer, w in enumerate(self.weights):
            if layer == 0:
                self.rms_norm(self.x, w["attn_norm"], self.h, 0)
            else:
                self.rms_norm(self.mlp, w["attn_norm"], self.h, self.residual)
            self.matmul(self.h, w["w_qkv"], self.qkv, (hq + 2 * hkv) * hd, hidden)
            self.op("rotary", (1, 1), 128, ("p", self.qkv), ("p", self.position), ("p", self.cos_sin), ("i", 1), ("i", (hq + 2 * hkv) * hd),
                    ("i", hd), ("i", hq + hkv), ("i", m.context))
            self.op("kv_write", (1, 1), 128, *paged(layer), *shape)
            self.op("paged_attention", (hq, 1), 128, *paged(layer), ("p", self.attended), *shape, ("f", 1 / math.sqrt(hd)))
            self.matmul(self.attended, w["w_o"], self.o, hidden, hq * hd)
            self.rms_norm(self.o, w["mlp_norm"], self.h, self.residual)
            self.matmul(self.h, w["w_gate_up"], self.gate_up, 2 * m.ffn, hidden)
            self.op("silu_mul", ((m.ffn + 255) // 256, 1), 256, ("p", self.gate_up), ("p", self.act), ("i", 1), ("i", m.ffn))
            self.matmul(self.act, w["w_down"], self.mlp, hidden, m.ffn)
        self.rms_norm(self.mlp, self.final_norm, self.h, self.residual)
        self.matmul(self.h, self.lm_head, self.logits, m.vocab, hidden)
        self.op("argmax", (1, 1), 1024, ("p", self.logits), ("p", self.next), ("i", 1), ("i", m.vocab))
        return int(d.download(self.next, 1, torch.int32)[0]), d.download(self.logits, m.vocab, m.dtype).float()


def independent_cos_sin(positions, head_dim):
    """cos_sin [P, D] from the spec's formula with Python's math (double), to check torch_decode's tables too."""
    table = torch.empty(positions, head_dim, dtype=torch.float32)
    for p in range(positions):
        for i in range(head_dim // 2):
            angle = p * 10000.0 ** (-2.0 * i / head_dim)
            table[p, i], table[p, head_dim // 2 + i] = math.cos(angle), math.sin(angle)
    return table


def torch_step(model, token, position, masked):
    """Decoder.step plus the logits it took the argmax of."""
    seen = []
    argmax = torch.argmax
    torch_decode.torch.argmax = lambda t, *a, **k: (seen.append(t.detach().float().view(-1)), argmax(t, *a, **k))[1]
    try:
        next_token = model.step(torch.tensor([token]), torch.tensor([position]), None if masked else position)
    finally:
        torch_decode.torch.argmax = argmax
    return int(next_token[0]), seen[-1]


def compare(device, shape, steps, tolerance):
    torch.manual_seed(0)
    model = torch_decode.Decoder(shape, torch.device("cpu"))
    table = independent_cos_sin(model.context, model.head_dim)
    tables_agree = torch.equal(table, torch.cat([model.cos, model.sin], dim=1))
    spec = SpecDecoder(device, model)
    prompt, token, worst, mismatches = [5, 17, 200, 3], 0, 0.0, []
    for position in range(min(steps, model.context)):
        token = prompt[position] if position < len(prompt) else token
        spec_token, spec_logits = spec.step(token, position)
        eager_token, eager_logits = torch_step(model, token, position, masked=False)
        graph_token, graph_logits = torch_step(model, token, position, masked=True)
        difference = max(float((spec_logits - eager_logits).abs().max()), float((graph_logits - eager_logits).abs().max()))
        worst = max(worst, difference)
        top = torch.topk(spec_logits, 2).values
        # A near tie (within the tolerance) may flip between implementations without a semantic difference.
        if len({spec_token, eager_token, graph_token}) > 1 and float(top[0] - top[1]) > tolerance:
            mismatches.append((position, spec_token, eager_token, graph_token))
        token = spec_token
    passed = tables_agree and worst <= tolerance and not mismatches
    print(f"{shape}: {steps} steps, largest logit difference {worst:.3g} (tolerance {tolerance}), cos/sin tables "
          f"{'identical' if tables_agree else 'DIFFERENT'}, token mismatches {mismatches or 'none'}: {'ok' if passed else 'FAILED'}")
    return passed


def main():
    with tempfile.TemporaryDirectory() as build:
        library = os.path.join(build, "libcuda.so.1")
        subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", library, os.path.join(REPO, "tests/Sgl.Platforms.Tests/BuiltIn/Cuda/cuda_shim.c")], check=True)
        device = ShimDevice(library)
        with torch.no_grad():
            results = [compare(device, "tiny", 40, 1e-4), compare(device, "gqa-bf16", 40, 0.08)]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
