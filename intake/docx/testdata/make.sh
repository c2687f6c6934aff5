#!/bin/sh
# make.sh regenerates the .docx files of package docx's tests with
# LibreOffice (Debian: apt-get install libreoffice-writer-nogui) and the
# seeds of FuzzText. The tests read only the committed files.
#
#   paragraphs.docx    from paragraphs.txt: the blanket as "Label: value" lines
#   table.docx         from table.html: the blanket as a two-column table
#   blank-filled.docx  the blank blanket written by docx.Blank, filled in by
#                      gen (editing its XML), then written again by LibreOffice
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A profile of its own, so that a running LibreOffice does not get the job.
lo() { soffice -env:UserInstallation="file://$tmp/profile" --headless "$@"; }

lo --infilter="Text (encoded):UTF8,LF,,," --convert-to "docx:MS Word 2007 XML" --outdir . paragraphs.txt
lo --infilter="HTML (StarWriter)" --convert-to "docx:MS Word 2007 XML" --outdir . table.html

go run ./gen -form ../../../templates/sv/blankett.txt -filled "$tmp/blank-filled.docx" -seeds fuzz/FuzzText
lo --convert-to "docx:MS Word 2007 XML" --outdir "$tmp/out" "$tmp/blank-filled.docx"
cp "$tmp/out/blank-filled.docx" blank-filled.docx

ls -l ./*.docx
