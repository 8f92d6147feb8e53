"""A second engine on the same SQLite file, in the same process, must not cost the first its locks.

Opening and closing any descriptor of the file drops the process's POSIX locks on it; another process that then
closed its last connection would delete the WAL the first engine still writes to, and those writes would vanish.
This is what `hocso serve` does (the CLI's engine, then the app's) while an operator runs `hocso users create`.
"""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from hocso.core.db import make_engine


def test_a_write_after_another_engine_and_another_process_touched_the_file_is_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = make_engine(url)
    held = first.connect()  # a pooled connection that stays open, as in a serving process
    held.execute(text("CREATE TABLE note (body TEXT)"))
    held.commit()
    make_engine(url).dispose()  # a second engine in this process (the app's beside the CLI's)
    # Another process opens and closes the database, as `hocso users create` does beside a running server.
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sqlite3; c = sqlite3.connect({str(tmp_path / 'shared.db')!r}); "
            "c.execute('insert into note values (1)'); c.commit(); c.close()",
        ],
        check=True,
    )
    held.execute(text("INSERT INTO note VALUES ('kept')"))
    held.commit()
    outside = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sqlite3; print(sqlite3.connect({str(tmp_path / 'shared.db')!r})"
            ".execute('select count(*) from note').fetchone()[0])",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    held.close()
    first.dispose()
    assert outside.stdout.strip() == "2"  # another process sees both committed rows
