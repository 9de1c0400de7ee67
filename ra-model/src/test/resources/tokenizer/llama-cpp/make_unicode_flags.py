#!/usr/bin/env python3
"""Writes unicode-flags.txt: llama.cpp's code point classes (src/unicode-data.cpp of the peer), which
CodepointFlagsTest compares with ours for every code point.

  python3 make_unicode_flags.py /tmp/llama.cpp-peer/llama.cpp/src/unicode-data.cpp

Output: '#' comments, then one line per range, "FIRST FLAGS" in hex (the range runs to the next line's
FIRST - 1; flags as unicode.h numbers them: 1 undefined, 2 number, 4 letter, 8 separator, 0x10 mark,
0x20 punctuation, 0x40 symbol, 0x80 control), then "whitespace CP CP ..." (hex).
"""
import re
import sys

src = open(sys.argv[1], encoding="utf-8").read()
flags = src[src.index("unicode_ranges_flags"):]
flags = flags[:flags.index("};")]
ws = src[src.index("unicode_set_whitespace"):]
ws = ws[:ws.index("};")]
with open("unicode-flags.txt", "w") as out:
    out.write("# llama.cpp's unicode_ranges_flags and unicode_set_whitespace (src/unicode-data.cpp at c392e5094ddaf2d1a7c18683214f007fad3fe42b)\n")
    out.write("# made by make_unicode_flags.py; FIRST FLAGS per range, hex\n")
    for first, f in re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+)\}", flags):
        out.write("%X %X\n" % (int(first, 16), int(f, 16)))
    out.write("whitespace " + " ".join("%X" % int(c, 16) for c in re.findall(r"0x([0-9A-F]+)", ws)) + "\n")
