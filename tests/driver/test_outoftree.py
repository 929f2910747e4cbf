"""An out-of-tree policy built against the installed headers and
pkg-config file alone, then replayed by the installed rmsim."""
import os
import shutil
import subprocess
import tempfile
import unittest

from rmsim_driver import SOURCE, main, trace_files

BUILD = os.environ.get("RMSIM_BUILD_DIR")


class OutOfTree(unittest.TestCase):
    def test_build_and_replay_example_policy(self):
        if not BUILD or not shutil.which("pkg-config"):
            self.skipTest("needs the build directory and pkg-config")
        prefix = tempfile.mkdtemp()
        subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix],
                       check=True, capture_output=True)
        env = dict(os.environ,
                   PKG_CONFIG_PATH=os.path.join(prefix, "lib",
                                                "pkgconfig"))
        for libdir in ("lib", "lib64", "lib/x86_64-linux-gnu"):
            pc = os.path.join(prefix, libdir, "pkgconfig")
            if os.path.isdir(pc):
                env["PKG_CONFIG_PATH"] = pc
        cflags = subprocess.run(["pkg-config", "--cflags", "rmsim"],
                                env=env, check=True, capture_output=True,
                                text=True).stdout.split()
        self.assertTrue(any(prefix in f for f in cflags), cflags)
        lib = os.path.join(prefix, "libeager.so")
        src = os.path.join(SOURCE, "tests", "example_policy", "eager.c")
        subprocess.run(["cc", *cflags, "-Wall", "-Wextra", "-Werror",
                        "-Wno-unused-parameter",
                        "-shared", "-fPIC", "-o", lib, src], check=True)
        rmsim = os.path.join(prefix, "bin", "rmsim")
        trace = [t for t in trace_files() if "go-hello" in t][0]
        p = subprocess.run([rmsim, "replay", "--policy", lib, trace],
                           capture_output=True, text=True)
        # deviations (exit 1) are expected: it cannot do MAP_FIXED
        self.assertEqual(p.returncode, 1, p.stderr + p.stdout)
        # a run is named by the policy's own name (never a built-in's)
        self.assertIn("policy     eager", p.stdout)
        self.assertRegex(p.stdout, r"findings   \d+ \(")
        p = subprocess.run([rmsim, "replay", "--policy", lib + "x", trace],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 64)
        self.assertIn("cannot load policy", p.stderr)


if __name__ == "__main__":
    main()
