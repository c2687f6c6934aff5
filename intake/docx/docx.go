// Package docx reads the Lex Heller blanket out of a Word document (.docx)
// as the "Label: value" text the blanket parser (intake/form) reads, and
// writes the blank blanket as a .docx.
//
// A .docx is a zip of XML parts; it is read with archive/zip and
// encoding/xml only, no third-party library. Text reads one part, the main
// document (word/document.xml), within Limits against zip bombs: the
// entry count is checked before the zip is opened, the part's sizes are
// checked against its header and again while it is unpacked, and no other
// part (an image in word/media) is read at all.
package docx

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
)

// Limits bound what reading a document may cost. A zero field takes its
// default.
type Limits struct {
	MaxEntries    int   // entries in the zip (default 1000)
	MaxEntryBytes int64 // uncompressed size of word/document.xml or any XML part read (default 10 MiB)
	MaxTotalBytes int64 // uncompressed bytes read in all (default 20 MiB)
	MaxRatio      int   // uncompressed/compressed of a part read (default 100)
}

// Default limits.
const (
	defaultMaxEntries    = 1000
	defaultMaxEntryBytes = 10 << 20
	defaultMaxTotalBytes = 20 << 20
	defaultMaxRatio      = 100
)

// ratioFloor is how much a part may unpack to whatever its ratio: a small
// part of repeated text (an empty table) may pack tighter than MaxRatio
// and still costs nothing.
const ratioFloor = 1 << 20

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = defaultMaxEntries
	}
	if l.MaxEntryBytes <= 0 {
		l.MaxEntryBytes = defaultMaxEntryBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = defaultMaxTotalBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = defaultMaxRatio
	}
	return l
}

// Error is why a document could not be read, in plain words for a log and
// a process leader (Swedish in Reason, English in Error()).
type Error struct {
	Reason string // Swedish, e.g. "dokumentet packas upp till mer än 20 MB (en zip-bomb?)"
	err    error  // English, wrapping the cause if any
}

func (e *Error) Error() string { return "docx: " + e.err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

func fail(reason string, err error) *Error { return &Error{Reason: reason, err: err} }

// size writes n bytes for a person: "20 MB", "512 kB", "300 byte".
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", (n+1<<19)>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// The content types of a WordprocessingML main document part.
var mainTypes = []string{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
	"application/vnd.ms-word.document.macroenabled.main+xml",
	"application/vnd.ms-word.template.macroenabledtemplate.main+xml",
}

// docxType is the content type of a .docx file.
const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// IsDocx reports whether name and contentType say a Word document (.docx,
// or application/vnd.openxmlformats-officedocument.wordprocessingml.document).
func IsDocx(name, contentType string) bool {
	if strings.EqualFold(path.Ext(strings.TrimSpace(name)), ".docx") {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.EqualFold(strings.TrimSpace(mt), docxType)
}

// Text returns the document's text with the blanket in it, in document
// order, as lines the blanket parser reads:
//   - each paragraph as one line (runs joined; w:tab as a space; w:br and
//     w:cr as a line break);
//   - each table row of two or more cells whose first cell reads like a
//     label as "label: value" (the first cell's text, a ":" added unless it
//     ends with ":" or "?", a space, then the other cells' text, their
//     paragraphs joined by "\n"); other rows as their cells' text joined by
//     " ";
//   - each content control (w:sdt) whose w:tag or w:alias is a label as
//     "label: value" (its content's text), whether block-level or inline,
//     or its value alone where the line or the table row already has a
//     label; a placeholder shown is no value; a content control without
//     such a tag is just its text;
//   - a check box (w14:checkbox inside w:sdtPr, or the legacy
//     w:ffData/w:checkBox form field) as "[x]" when checked and "[ ]" when
//     not, followed by its neighbouring text; the ballot boxes ☒/☑ and ☐
//     written as text read as "[x]" and "[ ]" too;
//   - headers, footers, comments, deleted text (w:del) and field codes
//     (w:instrText) are left out; inserted text (w:ins) is kept.
//
// It reads only word/document.xml (found via [Content_Types].xml or the
// _rels/.rels officeDocument relationship, falling back to
// word/document.xml). Runs of blank lines are made one. A document it
// cannot read gives an *Error.
func Text(r io.ReaderAt, size int64, lim Limits) (string, error) {
	lim = lim.withDefaults()
	if err := checkEntries(r, size, lim.MaxEntries); err != nil {
		return "", err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return "", notZip(err)
	}
	if len(zr.File) > lim.MaxEntries {
		return "", tooMany(len(zr.File), lim.MaxEntries)
	}
	pk := &pkg{lim: lim, files: map[string]*zip.File{}}
	for _, f := range zr.File {
		// OPC part names compare case-insensitively; the first one wins.
		k := strings.ToLower(f.Name)
		if _, ok := pk.files[k]; !ok {
			pk.files[k] = f
		}
	}
	f, err := pk.mainPart()
	if err != nil {
		return "", err
	}
	return pk.document(f)
}

// notZip is the error for a file that is no zip archive.
func notZip(err error) *Error {
	return fail("filen är inget Word-dokument (.docx): den går inte att öppna som zip-arkiv",
		fmt.Errorf("not a zip archive: %w", err))
}

func tooMany(n, max int) *Error {
	return fail(fmt.Sprintf("dokumentet har fler delar än de %d som tillåts (%d); det läses inte", max, n),
		fmt.Errorf("%d zip entries, more than the %d allowed", n, max))
}

// oleMagic starts a Compound File: an old .doc, or a .docx with a password.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// checkEntries reads the entry count from the zip's end of central
// directory record (zip64 too), before the zip is opened, so that a zip
// of a million entries is turned away without a million headers read.
func checkEntries(r io.ReaderAt, size int64, max int) error {
	if size < 22 {
		return notZip(errors.New("too short"))
	}
	head := make([]byte, len(oleMagic))
	if _, err := r.ReadAt(head, 0); err == nil && bytes.Equal(head, oleMagic) {
		return fail("filen är inget .docx utan ett lösenordsskyddat dokument eller ett gammalt Word-dokument (.doc)",
			errors.New("a Compound File (an old .doc or an encrypted .docx), not a zip archive"))
	}
	// The record is 22 bytes and a comment of at most 65535.
	n := min(size, 22+65535)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && !errors.Is(err, io.EOF) {
		return notZip(err)
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < 22 {
		return notZip(errors.New("no end of central directory record"))
	}
	count := uint64(binary.LittleEndian.Uint16(tail[i+10:]))
	if count == 0xFFFF && i >= 20 && bytes.Equal(tail[i-20:i-16], []byte("PK\x06\x07")) {
		off := int64(binary.LittleEndian.Uint64(tail[i-20+8:]))
		rec := make([]byte, 56)
		if off >= 0 && off <= size-56 {
			if _, err := r.ReadAt(rec, off); err == nil && bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
				count = binary.LittleEndian.Uint64(rec[32:])
			}
		}
	}
	if count > uint64(max) {
		return tooMany(int(min(count, 1<<31-1)), max)
	}
	return nil
}

// pkg is the zip being read and what reading it has cost.
type pkg struct {
	lim   Limits
	files map[string]*zip.File // by lower-case name
	total int64                // uncompressed bytes read in all
}

// OPC namespaces and relationship types of the main document.
const (
	officeDocumentRel       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	officeDocumentRelStrict = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
)

// mainPart finds the main document part: named in [Content_Types].xml,
// else by the package's officeDocument relationship, else
// word/document.xml.
func (pk *pkg) mainPart() (*zip.File, error) {
	var names []string
	if f := pk.files["[content_types].xml"]; f != nil {
		n, err := pk.scan(f, func(t xml.StartElement) string {
			if t.Name.Local == "Override" {
				ct := strings.ToLower(attr(t, "ContentType"))
				for _, m := range mainTypes {
					if ct == m {
						return attr(t, "PartName")
					}
				}
			}
			return ""
		})
		if err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	if f := pk.files["_rels/.rels"]; f != nil {
		n, err := pk.scan(f, func(t xml.StartElement) string {
			if t.Name.Local == "Relationship" && attr(t, "TargetMode") != "External" {
				if ty := attr(t, "Type"); ty == officeDocumentRel || ty == officeDocumentRelStrict {
					return attr(t, "Target")
				}
			}
			return ""
		})
		if err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	names = append(names, "word/document.xml")
	for _, n := range names {
		if n == "" {
			continue
		}
		n = strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(n, `\`, "/")), "/")
		if f := pk.files[strings.ToLower(n)]; f != nil {
			return f, nil
		}
	}
	return nil, fail("filen är ett zip-arkiv men inget Word-dokument: word/document.xml saknas",
		errors.New("no main document part (word/document.xml)"))
}

// scan reads the XML part f until find returns a name for one of its
// elements, and returns that name ("" if none).
func (pk *pkg) scan(f *zip.File, find func(xml.StartElement) string) (string, error) {
	rc, err := pk.open(f)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", rc.why(err)
		}
		if t, ok := tok.(xml.StartElement); ok {
			if n := find(t); n != "" {
				return n, nil
			}
		}
	}
}

// attr returns the value of t's attribute named local, in any namespace.
func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// open opens the part f for reading within the limits: its header's sizes
// are checked first, and what it unpacks to is counted as it is read.
func (pk *pkg) open(f *zip.File) (*part, error) {
	lim := pk.lim
	u, c := f.UncompressedSize64, f.CompressedSize64
	if u > uint64(lim.MaxEntryBytes) {
		return nil, tooLarge(f.Name, int64(min(u, 1<<62)), lim.MaxEntryBytes)
	}
	if pk.total+int64(u) > lim.MaxTotalBytes {
		return nil, tooMuch(lim.MaxTotalBytes)
	}
	if u > ratioFloor && u/max(c, 1) > uint64(lim.MaxRatio) {
		return nil, tooDense(f.Name, lim.MaxRatio)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, corrupt(f.Name, err)
	}
	return &part{
		rc:   rc,
		r:    io.LimitReader(rc, lim.MaxEntryBytes+1),
		pk:   pk,
		name: f.Name,
		comp: max(c, 1),
	}, nil
}

func tooLarge(name string, n, max int64) *Error {
	if n > max {
		return fail(fmt.Sprintf("dokumentets del %s packas upp till %s, mer än de %s som läses (en zip-bomb?)", name, size(n), size(max)),
			fmt.Errorf("%s unpacks to %d bytes, more than the %d allowed (a zip bomb?)", name, n, max))
	}
	return fail(fmt.Sprintf("dokumentets del %s packas upp till mer än %s (en zip-bomb?)", name, size(max)),
		fmt.Errorf("%s unpacks to more than %d bytes (a zip bomb?)", name, max))
}

func tooMuch(max int64) *Error {
	return fail(fmt.Sprintf("dokumentet packas upp till mer än %s (en zip-bomb?)", size(max)),
		fmt.Errorf("document unpacks to more than %d bytes (a zip bomb?)", max))
}

func tooDense(name string, ratio int) *Error {
	return fail(fmt.Sprintf("dokumentets del %s packas upp till mer än %d gånger sin storlek (en zip-bomb?)", name, ratio),
		fmt.Errorf("%s unpacks to more than %d times its size (a zip bomb?)", name, ratio))
}

func corrupt(name string, err error) *Error {
	return fail(fmt.Sprintf("dokumentet är skadat: dess del %s går inte att packa upp", name),
		fmt.Errorf("unpack %s: %w", name, err))
}

// part is a part being read: it stops at the limits with an *Error.
type part struct {
	rc   io.ReadCloser
	r    io.Reader // rc, limited to one byte more than MaxEntryBytes
	pk   *pkg
	name string
	comp uint64 // compressed size, at least 1
	n    int64  // bytes unpacked
	err  *Error // why reading stopped
}

func (p *part) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.pk.total += int64(n)
	lim := p.pk.lim
	switch {
	case p.n > lim.MaxEntryBytes:
		p.err = tooLarge(p.name, 0, lim.MaxEntryBytes)
	case p.pk.total > lim.MaxTotalBytes:
		p.err = tooMuch(lim.MaxTotalBytes)
	case p.n > ratioFloor && uint64(p.n)/p.comp > uint64(lim.MaxRatio):
		p.err = tooDense(p.name, lim.MaxRatio)
	case err != nil && err != io.EOF:
		p.err = corrupt(p.name, err)
	}
	if p.err != nil {
		return 0, p.err
	}
	return n, err
}

func (p *part) Close() error { return p.rc.Close() }

// why turns an error from decoding the part into an *Error: the limit or
// the unpacking that stopped the reading, else malformed XML.
func (p *part) why(err error) *Error {
	if p.err != nil {
		return p.err
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fail(fmt.Sprintf("dokumentets del %s är inte giltig XML (rad %d): dokumentet är skadat", p.name, se.Line),
			fmt.Errorf("%s: malformed XML: %w", p.name, err))
	}
	return fail(fmt.Sprintf("dokumentets del %s går inte att läsa: dokumentet är skadat", p.name),
		fmt.Errorf("%s: %w", p.name, err))
}
