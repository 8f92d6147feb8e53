"""How long activation slips take to draw: CPU seconds and size for 100 and 1,000 slips (8 per A4 page)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from hocso.core.config import Settings
from hocso.core.timeutil import utcnow
from hocso.staff.slips import Slip, render


def main() -> None:
    font_dir = Settings().pdf_font_dir
    for n in (100, 1000):
        slips = [
            Slip(
                f"Nguyễn Thị Phương {i}",
                f"Ủy ban nhân dân phường {i % 40}, thành phố Hà Nội",
                f"can.bo.{i}@hanoi.gov.vn",
                "K7Q2M9XDAB",
                utcnow() + timedelta(days=30),
            )
            for i in range(n)
        ]
        start = time.process_time()
        pdf = render(slips, activate_url="https://hocso.example.gov.vn/activate", font_dir=Path(font_dir))
        spent = time.process_time() - start
        print(f"{n:>5} slips ({-(-n // 8)} pages): {spent:.2f} s CPU, {spent / n * 1000:.1f} ms a slip, {len(pdf) // 1024} KB")


if __name__ == "__main__":
    main()
