package parse

import (
	"strings"
	"unicode/utf8"

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
	text, _ := htmlToText(s)
	return text
}

// htmlToText is HTMLToText; flat is true when the HTML could not be parsed
// as a tree (html.Parse refuses more than 512 open elements) and only its
// tokens were read: text, line breaks and blocks, without table rows.
func htmlToText(s string) (text string, flat bool) {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return flatText(s), true
	}
	var t textWriter
	t.node(doc)
	return t.String(), false
}

func flatText(s string) string {
	var t textWriter
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside script, style or title
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return t.String()
		case html.TextToken:
			if skip == 0 {
				t.text(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch a := atom.Lookup(name); {
			case a == atom.Script || a == atom.Style || a == atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case a == atom.Br:
				t.newline()
			case a == atom.Td || a == atom.Th:
				t.text(" ")
			case a == atom.Tr || a == atom.Li || a == atom.Pre || blocks[a]:
				t.block()
			}
		}
	}
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
	// Text nodes are joined as written: "Arbets<b>förmedlingen</b>" is one
	// word, "<b>Namn:</b> Anna" two.
	space := func() {
		if t.cur.Len() > 0 && !strings.HasSuffix(t.cur.String(), " ") {
			t.cur.WriteByte(' ')
		}
	}
	if r, _ := utf8.DecodeRuneInString(s); s != "" && isHTMLSpace(r) {
		space()
	}
	for i, f := range strings.FieldsFunc(s, isHTMLSpace) {
		if i > 0 {
			space()
		}
		t.cur.WriteString(f)
	}
	if r, _ := utf8.DecodeLastRuneInString(s); s != "" && isHTMLSpace(r) {
		space()
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
		case atom.Li:
			t.block()
			t.cur.WriteString("- ")
			defer t.block()
		default:
			if blocks[n.DataAtom] {
				t.block()
				defer t.block()
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c)
	}
}

// blocks are the elements displayed as blocks: each starts and ends a line.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Table: true, atom.Caption: true,
	atom.Blockquote: true, atom.Hr: true, atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true,
	atom.Main: true, atom.Nav: true, atom.Aside: true, atom.Address: true, atom.Center: true, atom.Figure: true,
	atom.Figcaption: true, atom.Form: true, atom.Fieldset: true, atom.Legend: true, atom.Details: true, atom.Summary: true,
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
