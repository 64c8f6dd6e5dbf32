"""Builds the `nofold` Python module: `pip install --no-build-isolation .` (see README, "Python").

The C++ flags default to -O3 -march=native (the widest SIMD this machine has, as a local build wants);
set NOFOLD_CXXFLAGS to choose others, e.g. NOFOLD_CXXFLAGS="-O3 -mavx2 -mfma" for a portable AVX2 build.
"""
import os
import shlex

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup

flags = shlex.split(os.environ.get("NOFOLD_CXXFLAGS", "-O3 -march=native"))
setup(
    ext_modules=[
        Pybind11Extension(
            "nofold",
            ["python/nofold_module.cpp"],
            include_dirs=["include"],
            cxx_std=17,
            extra_compile_args=flags,
        )
    ],
    cmdclass={"build_ext": build_ext},
)
