#!/usr/bin/env python3
"""dbt, tied to the process that started it (DBT_EXECUTABLE in orchestration/defs/transform.py).

dagster-dbt starts `dbt build` as a plain child process. When the run is killed with SIGKILL the
child was left running, still writing the working warehouse and holding its DuckDB lock, so the
next run failed or waited. Here the child asks the kernel (prctl PR_SET_PDEATHSIG) to send it
SIGKILL the moment its parent dies, then becomes the real dbt (the setting survives exec).
Standard library only: it runs before dbt's own interpreter starts.
"""

import ctypes
import os
import shutil
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    real = os.environ.get("SVW_REAL_DBT") or shutil.which("dbt")
    if not real:
        sys.exit("dbt_child: no dbt found (SVW_REAL_DBT unset and no dbt on PATH)")
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            sys.exit(f"dbt_child: prctl failed: {os.strerror(ctypes.get_errno())}")
        if os.getppid() == 1:  # the parent died before the request took effect
            sys.exit("dbt_child: the process that started dbt is gone; not starting it")
    os.execv(real, [real, *sys.argv[1:]])


if __name__ == "__main__":
    main()
