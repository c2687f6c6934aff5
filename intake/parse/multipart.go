package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-message/textproto"
)

// Why go-message's multipart reader is not used: it takes "--X-1" for a
// boundary of "--X" (the name clash Go's mime/multipart fixed), refuses a
// closing boundary with text after it on the same line and a preamble line
// longer than its 4 KB buffer, and reads a boundary longer than that
// buffer only by luck. mime/multipart has the fix but not the rest, and
// decodes quoted-printable on its own. So this reader is ours; it reads
// lines of any length and uses readHeader for the parts' headers.

// boundaryKind is what a line is to a multipart.
type boundaryKind int

const (
	notBoundary boundaryKind = iota
	delimiter                // "--boundary": a part follows
	closing                  // "--boundary--": the last part ended
)

// matchBoundary tells whether line, the start of a line (whole when it is
// short), is a boundary line of dash ("--" + boundary). The boundary must
// be followed by the end of the line, a space or tab, or "--" (RFC 2046
// section 5.1.1); anything may follow that, as mail readers allow. So with
// the boundary "X", "--X-1" (an inner boundary) is no boundary line.
func matchBoundary(line, dash []byte) boundaryKind {
	if !bytes.HasPrefix(line, dash) {
		return notBoundary
	}
	rest := line[len(dash):]
	switch {
	case len(rest) == 0, rest[0] == '\r', rest[0] == '\n', rest[0] == ' ', rest[0] == '\t':
		return delimiter
	case bytes.HasPrefix(rest, []byte("--")):
		return closing
	}
	return notBoundary
}

// errNoBoundary is the error of a multipart whose boundary occurs nowhere.
// Its text is the one go-message gave, which stored problems quote.
var errNoBoundary = errors.New("multipart: NextPart: EOF")

// errNoParts is the error of a multipart that closes before its first part.
var errNoParts = errors.New("multipart: closed before its first part")

type partState int

const (
	inPreamble  partState = iota
	inPart                // a part is being read
	atDelimiter           // the part ended at a delimiter: another follows
	ended                 // closed, or the input ended
)

// multipartReader reads the parts of a multipart body.
type multipartReader struct {
	lr      *lineReader
	dash    []byte // "--" + boundary
	state   partState
	part    int    // number of the current part, from 1
	out     []byte // data of the current part, ready to be read from pos
	pos     int
	eol     []byte // the line end held back: it belongs to a boundary that follows
	atStart bool   // the next chunk starts a line
	lf      bool   // lines end in LF alone: a CR before it is the text's
	err     error  // what Read returns once out is empty and the part ended
	text    []byte // preamble and epilogue, up to maxTextBytes+1, for the fallback
}

func newMultipartReader(r io.Reader, boundary string) *multipartReader {
	return newMultipartReaderSize(r, boundary, 4096)
}

// newMultipartReaderSize reads with a buffer of at least size bytes.
func newMultipartReaderSize(r io.Reader, boundary string, size int) *multipartReader {
	dash := []byte("--" + boundary)
	// The buffer always holds a line's start up to past the boundary
	// (chunk may give back one byte of it), so any boundary is recognised,
	// however long.
	br := bufio.NewReaderSize(r, max(size, len(dash)+3))
	return &multipartReader{lr: &lineReader{br: br}, dash: dash}
}

func (mr *multipartReader) isBoundary(line []byte) bool {
	return matchBoundary(line, mr.dash) != notBoundary
}

// NextPart returns the next part's header and body, the problems of its
// header, and io.EOF after the last part. A multipart whose boundary
// occurs nowhere gives errNoBoundary; one that closes before any part
// errNoParts: Text then returns what there is to read as text.
func (mr *multipartReader) NextPart() (textproto.Header, io.Reader, []string, error) {
	for mr.state == inPart {
		mr.fill()
	}
	switch mr.state {
	case inPreamble:
		if err := mr.preamble(); err != nil {
			return textproto.Header{}, nil, nil, err
		}
	case ended:
		return textproto.Header{}, nil, nil, io.EOF
	}
	hd := readHeader(mr.lr, false, mr.isBoundary)
	if hd.err != nil {
		hd.problems = append(hd.problems, fmt.Sprintf("header broken off: %v", hd.err))
	}
	mr.part++
	mr.state, mr.atStart, mr.eol, mr.out, mr.pos, mr.err = inPart, true, mr.eol[:0], mr.out[:0], 0, nil
	return hd.h, &partReader{mr: mr, n: mr.part}, hd.problems, nil
}

// preamble skips the preamble up to the first delimiter.
func (mr *multipartReader) preamble() error {
	start := true
	for {
		c, err := mr.lr.chunk()
		if start && len(c) > 0 {
			switch matchBoundary(c, mr.dash) {
			case delimiter:
				end := mr.skipLine(c)
				mr.lf = !bytes.HasSuffix(end, []byte("\r\n"))
				return nil
			case closing:
				mr.state = ended
				mr.skipLine(c)
				mr.epilogue()
				return errNoParts
			}
		}
		mr.keep(c)
		start = len(c) > 0 && c[len(c)-1] == '\n'
		if err != nil {
			mr.state = ended
			if err == io.EOF {
				return errNoBoundary
			}
			return err
		}
	}
}

// epilogue reads what follows a closing line that had no part before it.
func (mr *multipartReader) epilogue() {
	for {
		c, err := mr.lr.chunk()
		mr.keep(c)
		if err != nil {
			return
		}
	}
}

// skipLine skips the rest of a boundary line whose start c was read; it
// returns the line's last bytes (valid until the next read).
func (mr *multipartReader) skipLine(c []byte) []byte {
	last := c
	for len(c) > 0 && c[len(c)-1] != '\n' {
		var err error
		if c, err = mr.lr.chunk(); err != nil {
			return last
		}
		if len(c) > 0 {
			last = c
		}
	}
	return last
}

func (mr *multipartReader) keep(c []byte) {
	if room := maxTextBytes + 1 - len(mr.text); room > 0 {
		mr.text = append(mr.text, c[:min(room, len(c))]...)
	}
}

// Text returns the body read so far as text, for a multipart without
// parts: the preamble and epilogue, or the whole body when no boundary was
// found.
func (mr *multipartReader) Text() []byte { return mr.text }

// fill reads the next chunk of the current part into out, or ends it.
func (mr *multipartReader) fill() {
	c, err := mr.lr.chunk()
	if mr.atStart && len(c) > 0 {
		switch matchBoundary(c, mr.dash) {
		case delimiter:
			mr.state, mr.err = atDelimiter, io.EOF
			mr.skipLine(c)
			return
		case closing:
			mr.state, mr.err = ended, io.EOF
			return
		}
	}
	mr.out, mr.pos = append(mr.out[:0], mr.eol...), 0
	mr.eol = mr.eol[:0]
	mr.atStart = len(c) > 0 && c[len(c)-1] == '\n'
	body := c
	if mr.atStart {
		body = c[:len(c)-1]
		if !mr.lf {
			body = bytes.TrimSuffix(body, []byte("\r"))
		}
		mr.eol = append(mr.eol, c[len(body):]...)
	}
	mr.out = append(mr.out, body...)
	if err != nil {
		// The input ended (or failed) before the closing line: what was
		// held back is the part's.
		mr.out = append(mr.out, mr.eol...)
		mr.state, mr.err = ended, err
		if err == io.EOF {
			mr.err = io.ErrUnexpectedEOF
		}
	}
}

// partReader reads the body of part n.
type partReader struct {
	mr *multipartReader
	n  int
}

func (p *partReader) Read(b []byte) (int, error) {
	mr := p.mr
	if p.n != mr.part {
		return 0, io.EOF
	}
	for mr.pos == len(mr.out) {
		if mr.state != inPart {
			return 0, mr.err
		}
		mr.fill()
	}
	n := copy(b, mr.out[mr.pos:])
	mr.pos += n
	return n, nil
}
