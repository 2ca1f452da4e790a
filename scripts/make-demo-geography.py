"""Write the demo street's approximate territory and gazetteer under demo/data/ (docs/geography.md).

.venv/bin/python scripts/make-demo-geography.py
"""

import csv
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")

import django  # noqa: E402

django.setup()

from demo.geography import GAZETTEER_FILE, GEOJSON_FILE, demo_gazetteer, demo_geography  # noqa: E402

collection = demo_geography()
GEOJSON_FILE.write_text(json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
with GAZETTEER_FILE.open("w", encoding="utf-8", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=["address", "community", "grid", "lon", "lat"])
    writer.writeheader()
    writer.writerows(demo_gazetteer(collection))
print(GEOJSON_FILE, GAZETTEER_FILE)
