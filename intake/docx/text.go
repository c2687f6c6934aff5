package docx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// maxDepth is how deep the document's elements may nest.
const maxDepth = 256

// maxFields is how deep complex fields may nest before more are ignored.
const maxFields = 64

// errDeep stops a document nested deeper than maxDepth.
var errDeep = errors.New("elements nested too deep")

// document reads the main document part f as text.
func (pk *pkg) document(f *zip.File) (string, error) {
	rc, err := pk.open(f)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	p := &parser{d: xml.NewDecoder(rc)}
	b := &lineBuf{}
	root := false
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			if !root {
				return "", fail(fmt.Sprintf("dokumentets del %s är inte giltig XML (inget rotelement): dokumentet är skadat", rc.name),
					fmt.Errorf("%s: malformed XML: no root element", rc.name))
			}
			break
		}
		if err == nil {
			if t, ok := tok.(xml.StartElement); ok {
				root = true
				err = p.element(b, t)
			}
		}
		if err != nil {
			if errors.Is(err, errDeep) && rc.err == nil {
				return "", fail(fmt.Sprintf("dokumentets del %s är för djupt nästlad för att läsas", rc.name),
					fmt.Errorf("%s: %w", rc.name, err))
			}
			return "", rc.why(err)
		}
	}
	return join(b.result()), nil
}

// join joins lines, runs of blank lines made one and blank lines at either
// end left out.
func join(lines []string) string {
	var out []string
	for _, l := range lines {
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// parser walks the document's elements, writing their text to lineBufs.
// Each element's handler consumes the element through its end.
type parser struct {
	d      *xml.Decoder
	depth  int
	fields []bool // open complex fields: true while in the field's code
	extra  int    // fields opened beyond maxFields
	row    *row   // the table row whose cells are being read
	// inValue is set in a value cell of a row whose first cell is a label:
	// a labelled content control there gives its value alone.
	inValue bool
}

// row is a table row being read.
type row struct {
	cells   [][]string // each cell's lines
	label   bool       // the first cell reads like a label
	deleted bool       // a deleted row (w:trPr/w:del)
}

// walk reads the children of the element just started, through its end.
func (p *parser) walk(b *lineBuf) error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return errDeep
	}
	for {
		tok, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := p.element(b, t); err != nil {
				return err
			}
		}
		// Character data outside w:t is layout whitespace.
	}
}

// inCode reports whether the text read now is a field's code.
func (p *parser) inCode() bool {
	for _, code := range p.fields {
		if code {
			return true
		}
	}
	return false
}

// element reads the element t, just started, writing its text to b.
func (p *parser) element(b *lineBuf, t xml.StartElement) error {
	switch t.Name.Local {
	case "p":
		b.flush() // a text box's paragraph within a paragraph
		start := len(b.lines)
		if err := p.walk(b); err != nil {
			return err
		}
		// A paragraph ends its line, unless it ended with a line already.
		if b.cur.Len() > 0 || len(b.lines) == start {
			b.endLine()
		}
		return nil
	case "t":
		return p.text(b)
	case "tab", "ptab":
		if !p.inCode() {
			b.text(" ")
		}
	case "br", "cr":
		if !p.inCode() {
			b.endLine()
		}
	case "noBreakHyphen":
		if !p.inCode() {
			b.text("-")
		}
	case "sym":
		if !p.inCode() {
			symbol(b, t)
		}
	case "tbl":
		b.flush()
		return p.walk(b)
	case "tr":
		return p.tableRow(b)
	case "tc":
		if p.row != nil {
			return p.cell()
		}
		return p.walk(b)
	case "trPr":
		if p.row != nil {
			return p.rowProps()
		}
	case "sdt":
		return p.sdt(b)
	case "fldChar":
		return p.fldChar(b, t)
	case "AlternateContent":
		return p.alternate(b)
	case "del", "moveFrom", "delText", "instrText", "delInstrText",
		"pPr", "rPr", "sectPr", "tblPr", "tblGrid", "tblPrEx", "tcPr",
		"sdtPr", "sdtEndPr", "fldData", "ffData", "footnoteReference", "endnoteReference":
		// Deleted text, field codes and properties hold no text to read.
	default:
		// Runs, hyperlinks, insertions, fields' results, smart tags,
		// text boxes and what else holds runs.
		return p.walk(b)
	}
	return p.d.Skip()
}

// text reads a w:t.
func (p *parser) text(b *lineBuf) error {
	code := p.inCode()
	for {
		tok, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if !code {
				b.text(string(t))
			}
		case xml.StartElement:
			if err := p.d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// tableRow reads a w:tr and writes it as lines.
func (p *parser) tableRow(b *lineBuf) error {
	saved, savedIn := p.row, p.inValue
	r := &row{}
	p.row, p.inValue = r, false
	err := p.walk(&lineBuf{}) // text outside the cells is none
	p.row, p.inValue = saved, savedIn
	if err != nil {
		return err
	}
	if !r.deleted {
		b.flush()
		b.lines = append(b.lines, r.lines()...)
	}
	return nil
}

// cell reads a w:tc of the row being read.
func (p *parser) cell() error {
	r := p.row
	savedIn := p.inValue
	p.row, p.inValue = nil, r.label && len(r.cells) > 0
	c := &lineBuf{}
	err := p.walk(c)
	p.row, p.inValue = r, savedIn
	if err != nil {
		return err
	}
	lines := c.result()
	r.cells = append(r.cells, lines)
	if len(r.cells) == 1 {
		r.label = labelish(strings.Join(nonBlank(lines), " "))
	}
	return nil
}

// rowProps reads a w:trPr, noting a deleted row.
func (p *parser) rowProps() error {
	depth := 1
	for depth > 0 {
		tok, err := p.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Local == "del" {
				p.row.deleted = true
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// lines are the row as text: "label: value" or its cells' text.
func (r *row) lines() []string {
	texts := make([]string, len(r.cells))
	for i, c := range r.cells {
		texts[i] = strings.Join(trimBlank(c), "\n")
	}
	var s string
	if len(texts) >= 2 && r.label {
		s = withColon(strings.Join(nonBlank(r.cells[0]), " "))
		if v := joinNonEmpty(texts[1:]); v != "" {
			s += " " + v
		}
	} else {
		s = joinNonEmpty(texts)
	}
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func joinNonEmpty(ss []string) string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

func nonBlank(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// trimBlank drops blank lines at either end.
func trimBlank(lines []string) []string {
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// sdtProps are a content control's properties.
type sdtProps struct {
	tag, alias  string
	checkbox    bool // a check box (w14:checkbox)
	checked     bool
	placeholder bool // its content is a placeholder (w:showingPlcHdr)
}

// label returns the label the content control is tagged with, "" if none:
// its alias or tag where one is a label or reads like one, or the label of
// a field key ("reporter_name").
func (pr sdtProps) label() string {
	for _, s := range []string{pr.alias, pr.tag} {
		if isKnown(s) {
			return s
		}
	}
	if l := keyLabels[strings.ToLower(strings.TrimSpace(pr.tag))]; l != "" {
		return l
	}
	for _, s := range []string{pr.alias, pr.tag} {
		if labelish(s) {
			return s
		}
	}
	return ""
}

// sdt reads a content control (w:sdt), block-level or inline.
func (p *parser) sdt(b *lineBuf) error {
	var pr sdtProps
	var content *lineBuf
	for done := false; !done; {
		tok, err := p.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "sdtPr":
				if pr, err = p.sdtProps(); err != nil {
					return err
				}
			case t.Name.Local == "sdtContent" && !pr.checkbox && content == nil:
				content = &lineBuf{}
				if err := p.walk(content); err != nil {
					return err
				}
			default: // a check box's glyph, properties
				if err := p.d.Skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			done = true
		}
	}
	if pr.checkbox {
		if !p.inCode() {
			b.box(pr.checked)
		}
		return nil
	}
	if content == nil {
		return nil
	}
	if pr.placeholder {
		content = &lineBuf{}
	}
	label := pr.label()
	if label == "" {
		b.merge(content)
		return nil
	}
	lines := trimBlank(content.result())
	if len(lines) == 1 && isPlaceholder(lines[0]) {
		lines = nil
	}
	switch {
	case p.inValue || b.curLabel():
		// The row or the line has its label already.
		b.write(lines)
		return nil
	case !b.filled && b.labelAbove(label):
		// The label stands on the line above, as a paragraph of its own
		// or broken off by a w:br (LibreOffice writes one before a
		// content control whose text had one).
		b.cur.Reset()
		b.space = false
		for _, l := range lines {
			b.text(l)
			b.endLine()
		}
		return nil
	}
	b.flush()
	b.text(withColon(label))
	b.write(lines)
	b.flush()
	return nil
}

// sdtProps reads a w:sdtPr.
func (p *parser) sdtProps() (sdtProps, error) {
	var pr sdtProps
	depth := 1
	inBox := 0 // the depth of the check box element, 0 outside it
	for depth > 0 {
		tok, err := p.d.Token()
		if err != nil {
			return pr, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch l := t.Name.Local; {
			case depth == 2 && l == "tag":
				pr.tag = attr(t, "val")
			case depth == 2 && l == "alias":
				pr.alias = attr(t, "val")
			case depth == 2 && l == "showingPlcHdr":
				pr.placeholder = onOff(t)
			case depth == 2 && strings.EqualFold(l, "checkbox"):
				pr.checkbox, inBox = true, depth
			case inBox > 0 && l == "checked":
				pr.checked = onOff(t)
			}
		case xml.EndElement:
			if depth == inBox {
				inBox = 0
			}
			depth--
		}
	}
	return pr, nil
}

// onOff reads an OOXML on/off element: on unless its val says off.
func onOff(t xml.StartElement) bool {
	switch strings.ToLower(attr(t, "val")) {
	case "0", "false", "off":
		return false
	}
	return true
}

// fldChar reads a w:fldChar: the start, separator or end of a complex
// field, whose code (between start and separator) is left out. The start
// of a legacy check box form field (w:ffData/w:checkBox) writes its box.
func (p *parser) fldChar(b *lineBuf, t xml.StartElement) error {
	switch attr(t, "fldCharType") {
	case "begin":
		box, checked, err := p.formCheckBox()
		if err != nil {
			return err
		}
		if box && !p.inCode() {
			b.box(checked)
		}
		if len(p.fields) < maxFields {
			p.fields = append(p.fields, true)
		} else {
			p.extra++
		}
		return nil
	case "separate":
		if p.extra == 0 && len(p.fields) > 0 {
			p.fields[len(p.fields)-1] = false
		}
	case "end":
		if p.extra > 0 {
			p.extra--
		} else if len(p.fields) > 0 {
			p.fields = p.fields[:len(p.fields)-1]
		}
	}
	return p.d.Skip()
}

// formCheckBox reads a starting w:fldChar's content for a check box form
// field: whether it is one, and whether it is checked (w:checked, else
// w:default).
func (p *parser) formCheckBox() (box, checked bool, err error) {
	depth, inBox := 1, 0
	var set, def bool
	for depth > 0 {
		tok, err := p.d.Token()
		if err != nil {
			return false, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch l := t.Name.Local; {
			case strings.EqualFold(l, "checkBox"):
				box, inBox = true, depth
			case inBox > 0 && l == "checked":
				set, checked = true, onOff(t)
			case inBox > 0 && l == "default":
				def = onOff(t)
			}
		case xml.EndElement:
			if depth == inBox {
				inBox = 0
			}
			depth--
		}
	}
	if !set {
		checked = def
	}
	return box, checked, nil
}

// alternate reads an mc:AlternateContent: its first mc:Choice, else its
// mc:Fallback, as the others hold the same text again.
func (p *parser) alternate(b *lineBuf) error {
	chosen := false
	for {
		tok, err := p.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !chosen && (t.Name.Local == "Choice" || t.Name.Local == "Fallback") {
				chosen = true
				if err := p.walk(b); err != nil {
					return err
				}
			} else if err := p.d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// symbol writes a w:sym that is a check box in a symbol font.
func symbol(b *lineBuf, t xml.StartElement) {
	c, err := strconv.ParseUint(attr(t, "char"), 16, 32)
	if err != nil {
		return
	}
	font := strings.ToLower(attr(t, "font"))
	if c >= 0xF000 && c <= 0xF0FF {
		c -= 0xF000 // the symbol fonts' private use range
	}
	switch {
	case font == "wingdings" && (c == 0xFD || c == 0xFE),
		font == "wingdings 2" && (c == 0x51 || c == 0x52 || c == 0x53 || c == 0x54),
		c == 0x2612 || c == 0x2611:
		b.box(true)
	case font == "wingdings" && (c == 0xA8 || c == 0x6F),
		font == "wingdings 2" && c == 0xA3,
		c == 0x2610:
		b.box(false)
	}
}

// lineBuf collects lines of text.
type lineBuf struct {
	lines  []string
	cur    strings.Builder
	filled bool // cur has more than spaces
	space  bool // a box was written: a space goes before more text
}

// text writes s to the current line; the ballot boxes ☒, ☑ and ☐ become
// "[x]" and "[ ]", and spaces of all kinds a space.
func (b *lineBuf) text(s string) {
	for _, r := range s {
		switch {
		case r == '☒' || r == '☑':
			b.box(true)
			continue
		case r == '☐':
			b.box(false)
			continue
		case unicode.IsSpace(r):
			r = ' '
		case unicode.IsControl(r):
			continue
		default:
			if b.space && !b.endsInSpace() {
				b.cur.WriteByte(' ')
			}
			b.space, b.filled = false, true
		}
		b.cur.WriteRune(r)
	}
}

// box writes a check box, a space between it and the text around it.
func (b *lineBuf) box(checked bool) {
	if !b.endsInSpace() {
		b.cur.WriteByte(' ')
	}
	if checked {
		b.cur.WriteString("[x]")
	} else {
		b.cur.WriteString("[ ]")
	}
	b.space, b.filled = true, true
}

// endsInSpace reports whether the current line is empty or ends in a space.
func (b *lineBuf) endsInSpace() bool {
	s := b.cur.String()
	return s == "" || s[len(s)-1] == ' '
}

// endLine ends the current line, blank or not.
func (b *lineBuf) endLine() {
	b.lines = append(b.lines, strings.TrimSpace(b.cur.String()))
	b.cur.Reset()
	b.space, b.filled = false, false
}

// flush ends the current line if it has text.
func (b *lineBuf) flush() {
	if b.filled {
		b.endLine()
	} else {
		b.cur.Reset()
		b.space = false
	}
}

// write writes lines after the text of the current line, a space between.
func (b *lineBuf) write(lines []string) {
	for i, l := range lines {
		if i > 0 {
			b.endLine()
		} else if !b.endsInSpace() && l != "" {
			b.cur.WriteByte(' ')
		}
		b.text(l)
	}
}

// merge writes what c holds into b: c's finished lines end b's current
// line and follow it, and c's current line continues b's.
func (b *lineBuf) merge(c *lineBuf) {
	for _, l := range c.lines {
		b.text(l)
		b.endLine()
	}
	b.text(c.cur.String())
	if c.space {
		b.space = true
	}
}

// maxLabelBytes is the most bytes of a line that may read like a label;
// longer lines are not looked at again and again.
const maxLabelBytes = 8 * maxLabel

// curLabel reports whether the current line reads like a label.
func (b *lineBuf) curLabel() bool {
	return b.filled && b.cur.Len() <= maxLabelBytes && labelish(b.cur.String())
}

// labelAbove reports whether the last line that is not blank, among the
// last few, is label.
func (b *lineBuf) labelAbove(label string) bool {
	for i := len(b.lines) - 1; i >= max(0, len(b.lines)-3); i-- {
		if l := b.lines[i]; l != "" {
			return len(l) <= maxLabelBytes && foldLabel(l) == foldLabel(label)
		}
	}
	return false
}

// result ends the current line if it has text and returns the lines.
func (b *lineBuf) result() []string {
	b.flush()
	return b.lines
}
