#!/usr/bin/env python3
"""office_fonts.py — writes a fontconfig file that makes LibreOffice draw each family named in
fonts/roles.conf (宋体, 仿宋, 方正小标宋简体 …, which a Debian machine does not have) with the font
file the PDF back end uses for that role, so that a .docx converted by `soffice` can be compared
with budgetgen's own PDF. For manual checks and `make check-office` only.

usage: office_fonts.py fonts/roles.conf OUT.conf   (then FONTCONFIG_FILE=OUT.conf soffice …)
"""
import os
import subprocess
import sys


def roles(path):
    """[(family, [font paths])] in file order."""
    out, cur = [], None
    base = os.path.dirname(os.path.abspath(path))
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            cur = {"family": None, "fonts": []}
            out.append(cur)
            continue
        key, _, value = (s.strip() for s in line.partition("="))
        if cur is None:
            continue
        if key == "family":
            cur["family"] = value
        elif key == "font":
            cur["fonts"].append(value if os.path.isabs(value) else os.path.join(base, value))
    return [(r["family"], r["fonts"]) for r in out if r["family"]]


def face_family(spec):
    """fontconfig's family name of 'path#index', or None if the file is missing."""
    path, _, index = spec.partition("#")
    if not os.path.exists(path):
        return None
    res = subprocess.run(["fc-scan", "--format", "%{index}\t%{family}\n", path],
                         capture_output=True, text=True, check=False)
    for line in res.stdout.splitlines():
        idx, _, fam = line.partition("\t")
        if idx == (index or "0"):
            return fam.split(",")[0]
    return None


def main():
    conf, out = sys.argv[1], sys.argv[2]
    rules = []
    for family, fonts in roles(conf):
        target = next((f for f in map(face_family, fonts) if f), None)
        if target and target != family:
            rules.append(
                '  <match target="pattern"><test name="family"><string>%s</string></test>'
                '<edit name="family" mode="assign" binding="strong"><string>%s</string></edit></match>'
                % (family, target))
    with open(out, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n')
        f.write("\n".join(rules) + "\n</fontconfig>\n")


if __name__ == "__main__":
    main()
