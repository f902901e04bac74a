#!/usr/bin/env python3
"""Checks publiccode.yml against the rules of the publiccode.yml standard 0.4
that a catalogue crawler enforces (https://yml.publiccode.tools/schema.core.html):
the mandatory keys, a description in Italian and in English with the
standard's length limits, the licence as an SPDX id that matches LICENCE,
and the version that `banditore --version` prints.
Usage: check-publiccode.py PUBLICCODE_YML LICENCE BINARY"""
import subprocess
import sys

import yaml

path, licence_path, binary = sys.argv[1:4]
with open(path, encoding="utf-8") as f:
    doc = yaml.safe_load(f)

problems = []


def need(cond, message):
    if not cond:
        problems.append(message)


for key in ("publiccodeYmlVersion", "name", "url", "platforms", "categories", "softwareType",
            "developmentStatus", "description", "legal", "maintenance", "localisation"):
    need(key in doc, f"missing key {key}")
need(doc.get("publiccodeYmlVersion") == "0.4", "publiccodeYmlVersion must be \"0.4\"")
need(doc.get("developmentStatus") in ("concept", "development", "beta", "stable", "obsolete"),
     "developmentStatus is not one of the standard's")
need(doc.get("softwareType") in ("standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
                                 "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"),
     "softwareType is not one of the standard's")
need(doc.get("maintenance", {}).get("type") in ("internal", "contract", "community", "none"),
     "maintenance.type is not one of the standard's")
for lang in ("it", "en"):
    d = doc.get("description", {}).get(lang)
    need(isinstance(d, dict), f"no description in {lang}")
    if not isinstance(d, dict):
        continue
    short, long_ = d.get("shortDescription", ""), d.get("longDescription", "")
    need(0 < len(short) <= 150, f"description.{lang}.shortDescription must be 1-150 characters, has {len(short)}")
    need(150 <= len(long_) <= 10000, f"description.{lang}.longDescription must be 150-10000 characters, has {len(long_)}")
    need(len(d.get("features", [])) > 0, f"description.{lang}.features is empty")
need(set(doc.get("localisation", {}).get("availableLanguages", [])) >= {"it", "en"},
     "localisation.availableLanguages must list it and en")
need(doc.get("legal", {}).get("license") == "EUPL-1.2", "legal.license must be EUPL-1.2")
with open(licence_path, encoding="utf-8") as f:
    need(f.readline().strip() == "EUROPEAN UNION PUBLIC LICENCE v. 1.2", "LICENCE is not the EUPL 1.2 text")
version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
need(doc.get("softwareVersion") == version,
     f"softwareVersion {doc.get('softwareVersion')} is not the binary's version {version}")

for p in problems:
    print(f"check-publiccode.py: {p}", file=sys.stderr)
if problems:
    sys.exit(1)
print("check-publiccode.py: publiccode.yml has the standard's keys, it and en descriptions and the EUPL-1.2")
