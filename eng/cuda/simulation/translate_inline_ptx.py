#!/usr/bin/env python3
"""Copies the kernel sources for the host simulation: sgl_cuda.h is replaced by the simulation's, and each
inline-PTX statement by the host computation it stands for.

  translate_inline_ptx.py KERNELS_DIR OUTPUT_DIR
"""
import os
import re
import shutil
import sys

ASM = re.compile(r'asm(?:\s+volatile)?\(\s*"([^"]*)"\s*:(.*?)\);', re.S)
OPERAND = re.compile(r'"=?\w"\((.*?)\)(?=\s*[,:]|\s*$)', re.S)


def host(instruction, operands):
    o = operands
    table = {
        "fma.rn.f32": f"{o[0]} = std::fma({', '.join(o[1:4])});",
        "ex2.approx.f32": f"{o[0]} = std::exp2({o[-1]});",
        "sqrt.rn.f32": f"{o[0]} = std::sqrt({o[-1]});",
        "max.f32": f"{o[0]} = std::fmax({', '.join(o[1:3])});",
        "cvt.f32.f16": f"{o[0]} = simt_half_to_float({o[-1]});",
        "cvt.rn.f16.f32": f"{o[0]} = simt_float_to_half({o[-1]});",
        "ld.global.nc.v4.u32": f"std::memcpy(&v, {o[-1]}, 16);",
    }
    mnemonic = instruction.split()[0]
    if mnemonic not in table:
        sys.exit(f"translate_inline_ptx.py: no host equivalent for '{instruction}'; add one")
    return table[mnemonic]


def main():
    source, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    for name in sorted(os.listdir(source)):
        if name.endswith((".cuh", ".cu")):
            text = open(os.path.join(source, name)).read()
            text = ASM.sub(lambda m: host(m.group(1), [op.strip() for op in OPERAND.findall(m.group(2))]), text)
            open(os.path.join(output, name), "w").write(text)
    shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sgl_cuda.h"), os.path.join(output, "sgl_cuda.h"))


if __name__ == "__main__":
    main()
