"""Package the PlanBridge custom connector: ``PlanBridge.mez`` is a zip of the M section
document, its resource strings and the OAuth client id it signs in with.

    python connector/build_mez.py --client-id pbc-... [--out dist/PlanBridge.mez]

Register the client first (``planbridge oauth-clients create --name "Power BI connector"
--redirect-uri https://oauth.powerbi.com/views/oauthredirect.html``). The archive is
byte-for-byte the same for the same inputs (fixed timestamps, sorted members).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMBERS = ("PlanBridge.pq", "resources.resx")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
CLIENT_ID = re.compile(r"^pbc-[0-9a-f]{24}$")


def build(client_id: str, out: Path) -> Path:
    if not CLIENT_ID.match(client_id):
        raise SystemExit(f"build_mez: {client_id!r} is not a PlanBridge client id (pbc-...)")
    out.parent.mkdir(parents=True, exist_ok=True)
    files = {name: (HERE / name).read_bytes() for name in MEMBERS}
    files["client_id"] = client_id.encode("ascii")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client-id", required=True, help="The connector's OAuth client id.")
    parser.add_argument("--out", type=Path, default=Path("dist/PlanBridge.mez"))
    args = parser.parse_args(argv)
    print(build(args.client_id, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
