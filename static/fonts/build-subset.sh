#!/usr/bin/env bash
# Rebuilds the badge font subsets from Noto Sans CJK SC (SIL Open Font License 1.1).
# Source: Debian package fonts-noto-cjk (upstream https://github.com/notofonts/noto-cjk),
# face index 2 of NotoSansCJK-{Regular,Bold}.ttc ("Noto Sans CJK SC").
# Needs: apt-get install fonts-noto-cjk; pip install fonttools.
# The glyphs kept: printable ASCII and the Chinese characters of the badge texts
# (src/domain/mark/text.rs); a unit test fails if a badge text needs a glyph not kept here.
set -euo pipefail
cd "$(dirname "$0")"
CHARS="服务质量评价有效已暂停撤销注过期证书查无此标识不可信当前点击核验请勿任级星登记册中未在时法稍后再试·—…"
for weight in Regular Bold; do
  pyftsubset "/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" --font-number=2 \
    --text="$CHARS" --unicodes="U+0020-007E" \
    --layout-features='kern,palt' --no-hinting --desubroutinize \
    --name-IDs='*' --name-legacy --name-languages='*' \
    --output-file="NotoSansSC-$weight-sqe.otf"
done
ls -l NotoSansSC-*-sqe.otf
