"""Send the Overview digest by email: write it with ``python -m crm_metrics digest`` and send it as an attachment
through an SMTP server, with Python's standard library only. For cron, every Monday at 07:00:

    0 7 * * 1  cd /srv/crm-dashboard && .venv/bin/python scripts/send_digest.py --period last-week

Settings from the environment (no secret on the command line or in the crontab):
    CRM_SMTP_HOST      the SMTP server (required)
    CRM_SMTP_PORT      its port (default 587, with STARTTLS; 465 means TLS from the start)
    CRM_SMTP_USER, CRM_SMTP_PASSWORD   the login, when the server asks for one
    CRM_DIGEST_FROM    the sender (default: CRM_SMTP_USER)
    CRM_DIGEST_TO      the recipients, separated by commas (required)
    CRM_DB             the database, as for the dashboard

Exit status: 0 sent, 1 the digest could not be written, 2 a setting is missing or the server refused.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_message(pdf: Path, period: str, sender: str, recipients: list[str], summary: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Customer overview: {period.replace('-', ' ')}"
    message["From"], message["To"] = sender, ", ".join(recipients)
    message.set_content(f"{summary[0].upper()}{summary[1:]}, attached as a PDF.\n")
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return message


def send(message: EmailMessage, env: dict[str, str]) -> None:
    host, port = env["CRM_SMTP_HOST"], int(env.get("CRM_SMTP_PORT", "587"))
    context = ssl.create_default_context()
    if port == 465:
        server = smtplib.SMTP_SSL(host, port, context=context, timeout=60)
    else:
        server = smtplib.SMTP(host, port, timeout=60)
    with server:
        if port != 465:
            server.starttls(context=context)
        if env.get("CRM_SMTP_USER"):
            server.login(env["CRM_SMTP_USER"], env.get("CRM_SMTP_PASSWORD", ""))
        server.send_message(message)


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Email the Overview digest as a PDF.")
    parser.add_argument("--period", default="last-week", help="as `python -m crm_metrics digest --period`")
    args = parser.parse_args(argv)
    env = dict(os.environ if env is None else env)
    missing = [k for k in ("CRM_SMTP_HOST", "CRM_DIGEST_TO") if not env.get(k)]
    sender = env.get("CRM_DIGEST_FROM") or env.get("CRM_SMTP_USER")
    if missing or not sender:
        print(f"error: set {', '.join(missing or ['CRM_DIGEST_FROM'])} (see scripts/send_digest.py)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="crm-digest-") as folder:
        pdf = Path(folder) / f"customer-overview-{args.period}.pdf"
        written = subprocess.run([sys.executable, "-m", "crm_metrics", "digest", "--period", args.period, "--out",
                                  str(pdf)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if written.returncode != 0:
            print(written.stderr.strip(), file=sys.stderr)
            return 1
        recipients = [r.strip() for r in env["CRM_DIGEST_TO"].split(",") if r.strip()]
        # "FILE: the overview of 01 Aug 2026 – 31 Aug 2026 (101 KB)" -> "the overview of 01 Aug 2026 – 31 Aug 2026"
        summary = written.stdout.strip().split(": ", 1)[-1].rsplit(" (", 1)[0]
        message = build_message(pdf, args.period, sender, recipients, summary)
        try:
            send(message, env)
        except (OSError, smtplib.SMTPException) as exc:
            print(f"error: the SMTP server {env['CRM_SMTP_HOST']} refused the digest: {exc}", file=sys.stderr)
            return 2
    print(f"Sent the {args.period.replace('-', ' ')} digest to {', '.join(recipients)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
