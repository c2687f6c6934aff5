package parse

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText renders an HTML body as plain text for the blanket's parser.
// Block elements start new lines; a table row becomes one line with its
// cells joined by ": " when the first cell is a label without its own colon
// (Outlook's two-column blanket) and by " " otherwise; scripts, styles and
// comments are dropped.
//
// A general-purpose converter (e.g. jaytaylor/html2text) draws tables as
// boxes, which is exactly what the blanket's parser cannot read, so this
// one is ours.
func HTMLToText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	var t textWriter
	t.node(doc)
	return t.String()
}

type textWriter struct {
	lines []string
	cur   strings.Builder
	pre   int
}

func (t *textWriter) String() string {
	t.newline()
	// Collapse runs of blank lines.
	var out []string
	blank := 0
	for _, l := range t.lines {
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func (t *textWriter) newline() {
	t.lines = append(t.lines, strings.TrimRight(t.cur.String(), " "))
	t.cur.Reset()
}

func (t *textWriter) text(s string) {
	if t.pre > 0 {
		parts := strings.Split(s, "\n")
		for i, p := range parts {
			if i > 0 {
				t.newline()
			}
			t.cur.WriteString(p)
		}
		return
	}
	for _, f := range strings.FieldsFunc(s, isHTMLSpace) {
		if t.cur.Len() > 0 && !strings.HasSuffix(t.cur.String(), " ") {
			t.cur.WriteByte(' ')
		}
		t.cur.WriteString(f)
	}
	if len(s) > 0 && isHTMLSpace(rune(s[len(s)-1])) && t.cur.Len() > 0 {
		t.cur.WriteByte(' ')
	}
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0'
}

func (t *textWriter) block() {
	if strings.TrimSpace(t.cur.String()) != "" {
		t.newline()
	} else {
		t.cur.Reset()
	}
}

func (t *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		t.text(n.Data)
		return
	case html.CommentNode:
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head, atom.Title:
			return
		case atom.Br:
			t.newline()
			return
		case atom.Tr:
			t.row(n)
			return
		case atom.Pre:
			t.block()
			t.pre++
			defer func() { t.pre--; t.block() }()
		case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
			atom.Ul, atom.Ol, atom.Table, atom.Blockquote, atom.Hr, atom.Section, atom.Article:
			t.block()
			defer t.block()
		case atom.Li:
			t.block()
			t.cur.WriteString("- ")
			defer t.block()
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c)
	}
}

// row writes a table row: each cell rendered on its own, then joined.
func (t *textWriter) row(tr *html.Node) {
	t.block()
	var cells [][]string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) {
			continue
		}
		var sub textWriter
		sub.pre = t.pre
		for cc := c.FirstChild; cc != nil; cc = cc.NextSibling {
			sub.node(cc)
		}
		if s := sub.String(); s != "" {
			cells = append(cells, strings.Split(s, "\n"))
		}
	}
	if len(cells) == 0 {
		return
	}
	first := strings.Join(cells[0], " ")
	if len(cells) == 1 {
		t.lines = append(t.lines, cells[0]...)
		return
	}
	sep := " "
	if len(cells) == 2 && len(cells[0]) == 1 && !strings.HasSuffix(strings.TrimSpace(first), ":") &&
		len([]rune(first)) <= 60 {
		sep = ": "
	}
	// A label cell followed by a multi-line value: the label and the first
	// value line share a line, the others follow.
	line := first
	for i, cell := range cells[1:] {
		s := sep
		if i > 0 {
			s = " "
		}
		line += s + cell[0]
		if len(cell) > 1 {
			t.lines = append(t.lines, line)
			t.lines = append(t.lines, cell[1:]...)
			line = ""
		}
	}
	if line != "" {
		t.lines = append(t.lines, line)
	}
}
