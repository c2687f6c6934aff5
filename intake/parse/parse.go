// Package parse decodes one raw RFC 5322 message into the parts lexheller
// works with: addresses, the decoded subject, threading headers, the best
// text body and the attachments.
//
// It does no I/O beyond the given reader (and the spill files of
// Options.SpillDir) and keeps going wherever it can: a part that cannot be
// read is recorded in Message.Problems and skipped, so a valid blanket that
// carries something hostile is still read. Only a message whose header
// cannot be read at all is an error. A message whose structure could not
// be read whole (parts nested too deeply, too many parts, no part found)
// says so in Message.Fault, for the caller to quarantine it.
//
// # Headers
//
// Headers are read leniently, as mail readers do (enmime's reader is the
// model; go-message parses the fields that are kept): an mbox "From " line
// and up to three other lines that are no header field are skipped at the
// top of a message (when a known field follows); a line without a colon
// followed by known fields is a continuation that lost its indentation; the
// first line that is no header field starts the body, and so do the
// fields right before it that no mail program writes ("Namn: Anna", a
// blanket written without the blank line); a field without a name is
// skipped; a message's first field, when indented, is read as a field; a
// multipart's header that no blank line ends, ends at its own boundary
// line. Of several From fields the first with an address counts; an
// address list without angle brackets ("Anna Andersson anna@af.se", two
// addresses without a comma) is read word by word, the words before the
// first address being its name. Raw 8-bit header text that is not UTF-8
// is read in the first charset that the message's parts declare and that
// decodes it validly, else as Windows-1252. An encoded-word that
// mime.WordDecoder refuses (bad base64 padding, a broken Q escape) is
// decoded leniently, an unknown charset label like a missing one.
//
// A Content-Type with junk after the type ("text/plain>", "text/html
// Content-Transfer-Encoding: 8bit") is read as that type; one without a
// type/subtype is text/plain (RFC 2045 section 5.2).
//
// # Multiparts
//
// A boundary line is "--" and the boundary followed by the end of the
// line, a space or tab, or "--" (so "--X-1" is no boundary line of "X");
// text after it on the same line is ignored; lines and boundaries may be
// of any length. A multipart/digest's parts are messages unless they say
// otherwise. A multipart whose boundary is missing or occurs nowhere, or
// that closes before its first part, is read as text.
//
// # Charsets
//
// Text is decoded with the declared charset (every charset of
// github.com/emersion/go-message/charset), then, when the label is missing,
// wrong or unknown, line by line: a valid UTF-8 line as UTF-8, a Latin-1
// line as Windows-1252, and a UTF-8 line with a stray byte as UTF-8 with
// that byte read as Windows-1252, so one bad byte does not spoil the
// rest. An "iso-8859-1" or "us-ascii" label is read as Windows-1252, as
// browsers and Outlook do (WHATWG Encoding, "latin1"). Text that is not
// UTF-8 and has no label (or "us-ascii", or an unknown one) is read in
// the Chinese, Japanese or Korean charset it is written in when its bytes
// tell one (Big5, GB18030, Shift_JIS, EUC-JP, EUC-KR; detect.go says
// how), and as Windows-1252 otherwise: Western text is never guessed at.
// A C1 control character in text is the Windows-1252 character of its
// byte ("€" for U+0080).
//
// # Bodies
//
// text/plain is preferred, unless it is a stub beside an HTML part with
// several times its text; format=flowed (RFC 3676) is unwrapped; a message
// with only HTML is converted to text (tables become "cell: cell" lines).
// A text part declared base64 that is plainly text (words whose base64
// decoding is binary) is read as it is.
// A message whose body is empty is read from, in this order: Outlook's
// winmail.dat (application/ms-tnef, decoded with github.com/teamwork/tnef,
// whose attachments become the message's), a text/plain attachment, and
// an attached message (message/rfc822: a forward as attachment, a digest),
// which is read like a message, within the same limits, and kept as an
// attachment too.
package parse

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"lexheller/intake/form"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/charmap"
)

// Limits of what Parse reads, chosen so that no message can make it hang or
// exhaust memory.
const (
	maxHeaderBytes = 1 << 20 // of a report's returned header
	maxDepth       = 20      // nesting of multiparts
	maxParts       = 500     // parts of one message
	// maxTextBytes is the text read from all the text parts of one
	// message together: a blanket is a few kilobytes, and everything
	// downstream (the parser, the masker, the store, the mails that quote
	// it) holds the text in memory. The raw message keeps the rest.
	maxTextBytes = 256 << 10
)

// ErrUnreadable is wrapped by the error Parse returns when a message has no
// readable header.
var ErrUnreadable = errors.New("parse: message is unreadable")

// The faults of a message's structure, wrapped by Message.Fault.
var (
	// ErrTooDeep: parts (multiparts or attached messages) were nested
	// deeper than 20 levels; the inner ones were not read.
	ErrTooDeep = errors.New("parse: parts nested too deeply")
	// ErrTooManyParts: the message has more than 500 parts; the rest were
	// not read.
	ErrTooManyParts = errors.New("parse: too many parts")
	// ErrNoPart: a multipart has no part that could be found, and the
	// message gave no text and no attachment.
	ErrNoPart = errors.New("parse: no readable part")
)

// Options tune Parse. A nil *Options is the zero value.
type Options struct {
	// MaxAttachmentBytes is how much attachment content Parse keeps for one
	// message; larger attachments are recorded (name, type, size, hash)
	// without their content. Zero means 25 MB.
	MaxAttachmentBytes int64
	// SpillDir, when set, is where the content of an attachment larger
	// than 1 MiB is written (Attachment.File) instead of being held in
	// memory; the caller removes the files (RemoveFiles).
	SpillDir string
}

// spillOver is the size above which an attachment is spilled to a file.
const spillOver = 1 << 20

func (o *Options) spillDir() string {
	if o == nil {
		return ""
	}
	return o.SpillDir
}

func (o *Options) maxAttachmentBytes() int64 {
	if o == nil || o.MaxAttachmentBytes <= 0 {
		return 25 << 20
	}
	return o.MaxAttachmentBytes
}

// Address is a decoded mailbox: a display name and an address.
type Address struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

func (a Address) String() string {
	if a.Name == "" {
		return a.Address
	}
	return (&mail.Address{Name: a.Name, Address: a.Address}).String()
}

// Attachment is one non-body part of a message.
type Attachment struct {
	Filename    string // sanitised: a base name without path or control characters
	ContentType string
	Size        int64
	SHA256      string // hex, over the decoded content
	Content     []byte // nil when not kept (see Dropped) or kept in File
	File        string // the file holding the content, when it was spilled (Options.SpillDir)
	Dropped     string // why the content was not kept, or ""
}

// Kept reports whether the attachment's content was kept.
func (a *Attachment) Kept() bool { return a.Content != nil || a.File != "" }

// RemoveFiles removes the files attachments were spilled to.
func (m *Message) RemoveFiles() {
	for _, a := range m.Attachments {
		if a.File != "" {
			os.Remove(a.File)
		}
	}
}

// Message is a decoded message. Header is the top-level header as received.
type Message struct {
	Header      textproto.Header
	From        Address
	Sender      Address
	ReplyTo     []Address
	To          []Address
	Cc          []Address
	DeliveredTo []string // Delivered-To, X-Original-To, Envelope-To
	Subject     string
	MessageID   string // without angle brackets; "" when missing
	InReplyTo   []string
	References  []string
	Date        time.Time

	MediaType string // of the top-level entity, e.g. "multipart/report"
	// ReportType is the report-type parameter of a multipart/report.
	ReportType string
	// ReportedMessageIDs are the Message-IDs found in the returned headers
	// of a delivery report (message/rfc822 or text/rfc822-headers parts).
	ReportedMessageIDs []string

	Text     string // the body as text, "" when none
	FromHTML bool   // Text was converted from HTML
	// FromAttachment: the message itself has no text, and Text is that of
	// a text/plain attachment or an attached message. Such text is
	// someone else's words: a caller must not pass it on as the sender's
	// reply.
	FromAttachment bool
	Attachments    []Attachment
	Problems       []string // what could not be read, one line each

	// Fault is nil when the message's structure was read whole. Otherwise
	// it wraps one or more of ErrTooDeep, ErrTooManyParts and ErrNoPart
	// (test with errors.Is): parts were skipped or none was found, so the
	// message may say more than Text shows, or nothing at all, and was
	// likely built to hurt. The caller quarantines such a message instead
	// of answering it. Problems says more.
	Fault error
}

// Parse reads a raw message. It returns an error wrapping ErrUnreadable only
// when the top-level header cannot be read; everything below that is best
// effort and recorded in Message.Problems.
//
// The header is read leniently (see the package doc); Message.Header holds
// the fields as read, with unindented continuations joined.
func Parse(r io.Reader, opts *Options) (*Message, error) {
	lr := &lineReader{br: bufio.NewReader(r)}
	hd := readHeader(lr, true, nil)
	if hd.h.Len() == 0 {
		err := hd.err
		if err == nil {
			err = errors.New("no header fields")
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	m := &Message{Header: hd.h, Problems: hd.problems}
	if hd.err != nil {
		m.Problems = append(m.Problems, fmt.Sprintf("header broken off: %v", hd.err))
	}

	w := walker{msg: m, budget: opts.maxAttachmentBytes(), spill: opts.spillDir()}
	if l, ok := r.(interface{ Len() int }); ok {
		w.size = int64(l.Len())
	}
	mt, params := mediaType(hd.h)
	m.MediaType = mt
	if mt == "multipart/report" {
		m.ReportType = strings.ToLower(params["report-type"])
	}
	w.entity(hd.h, lr, 0)
	// The header is decoded after the body, whose parts' charsets tell
	// how raw 8-bit header text is encoded.
	m.readHeaderFields(w.hints)
	m.chooseBody(&w)
	m.Fault = w.fault()
	return m, nil
}

func (m *Message) readHeaderFields(hints []string) {
	h := m.Header
	m.Subject = decodeHeader(h.Get("Subject"), hints)
	// A second From (a relay's, a broken client's) counts when the first
	// has no address.
	for _, v := range h.Values("From") {
		if l := addressListHint(v, hints); len(l) > 0 {
			m.From = l[0]
			break
		}
	}
	if l := addressListHint(h.Get("Sender"), hints); len(l) > 0 {
		m.Sender = l[0]
	}
	m.ReplyTo = addressListHint(h.Get("Reply-To"), hints)
	m.To = addressListHint(strings.Join(h.Values("To"), ", "), hints)
	m.Cc = addressListHint(strings.Join(h.Values("Cc"), ", "), hints)
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range h.Values(k) {
			for _, a := range addressListHint(v, hints) {
				m.DeliveredTo = append(m.DeliveredTo, a.Address)
			}
		}
	}
	if ids := MsgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = MsgIDs(h.Get("In-Reply-To"))
	m.References = MsgIDs(strings.Join(h.Values("References"), " "))
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		m.Date = d
	}
}

// wordDecoder decodes encoded-words like text (decodeText), but keeps C1
// control characters, which cleanLine turns into spaces in a header.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(decodeText(b, cs)), nil
}}

// wordCharsetRe finds the charset of encoded-words labelled UTF-8,
// ISO-8859-1 or US-ASCII, which mime.WordDecoder decodes itself without
// asking its CharsetReader: Outlook's "=?iso-8859-1?Q?=96?=" would become a
// C1 control character instead of "–", and Latin-1 bytes in a word labelled
// UTF-8 would stay invalid UTF-8.
var wordCharsetRe = regexp.MustCompile(`(?i)=\?(utf-8|iso-8859-1|us-ascii)((?:\*[^?]*)?\?[bq]\?[^?\s]*\?=)`)

// relabelWords relabels such encoded-words ("utf8", "windows-1252") so that
// wordDecoder reads them like a body with the same label (see DecodeText).
func relabelWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	return wordCharsetRe.ReplaceAllStringFunc(s, func(w string) string {
		m := wordCharsetRe.FindStringSubmatch(w)
		if strings.EqualFold(m[1], "utf-8") {
			return "=?utf8" + m[2]
		}
		return "=?windows-1252" + m[2]
	})
}

// encodedWordRe matches an RFC 2047 encoded-word: charset (with an RFC
// 2231 language), encoding, text.
var encodedWordRe = regexp.MustCompile(`=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=`)

// repairWords rewrites each encoded-word that mime.WordDecoder refuses
// (base64 with missing or extra padding, as in "=?NONE?B?VEVTVA=?=", or a
// broken escape in Q) as a UTF-8 word, decoded leniently: the base64
// alphabet without padding, a broken escape as written, and the charset
// as DecodeText reads it (an unknown one as UTF-8 when valid, else as
// Windows-1252). Words between which there is only white space stay
// joined.
func repairWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	return encodedWordRe.ReplaceAllStringFunc(s, func(w string) string {
		if _, err := wordDecoder.Decode(w); err == nil {
			return w
		}
		m := encodedWordRe.FindStringSubmatch(w)
		var b []byte
		if m[2] == "b" || m[2] == "B" {
			b = lenientBase64(m[3])
		} else {
			b = lenientQ(m[3])
		}
		return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(decodeText(b, m[1]))) + "?="
	})
}

// lenientBase64 decodes the base64 alphabet in s, whatever its padding.
func lenientBase64(s string) []byte {
	clean := strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && isBase64Byte(byte(r)) {
			return r
		}
		return -1
	}, s)
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1] // a lone sextet holds no byte
	}
	b, _ := base64.RawStdEncoding.DecodeString(clean)
	return b
}

// lenientQ decodes an RFC 2047 Q text, keeping an "=" that starts no
// escape as written.
func lenientQ(s string) []byte {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			b = append(b, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			v, _ := hex.DecodeString(s[i+1 : i+3])
			b = append(b, v...)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return b
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// raw8bit reads a header value with raw 8-bit bytes that are not UTF-8:
// in the first of the hinted charsets (those the message's parts declare)
// that decodes it validly, else as Windows-1252. Encoded-words, being
// ASCII, are unharmed.
func raw8bit(s string, hints []string) string {
	if utf8.ValidString(s) {
		return s
	}
	for _, cs := range hints {
		if d, ok := decodeStrict([]byte(s), cs); ok {
			return d
		}
	}
	if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
		return d
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// decodeStrict decodes b as charset cs when cs is a known charset that
// Windows-1252 does not already stand for, and b is valid in it: no
// replacement characters, no C1 controls (which a single-byte charset
// gives for Windows-1252's punctuation), and for the EUC charsets only
// pairs of 8-bit bytes (the decoders read "gb2312" as GBK, which takes
// Latin-1's "B\xe5rd" for one ideograph between two letters).
func decodeStrict(b []byte, cs string) (string, bool) {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"`))
	if latinLabels[cs] || eucLabels[cs] && !eightBitPairs(b) {
		return "", false
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		return "", false
	}
	out, err := io.ReadAll(r)
	if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
		return "", false
	}
	if bytes.ContainsFunc(out, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
		return "", false
	}
	return string(out), true
}

// eucLabels are charsets whose 8-bit bytes come in pairs (EUC, ISO 2022
// in 8 bits).
var eucLabels = map[string]bool{
	"gb2312": true, "euc-cn": true, "euc-kr": true, "ks_c_5601-1987": true, "euc-jp": true,
}

// eightBitPairs reports whether every run of 8-bit bytes in b has an even
// length.
func eightBitPairs(b []byte) bool {
	run := 0
	for _, c := range b {
		if c >= 0x80 {
			run++
			continue
		}
		if run%2 != 0 {
			return false
		}
		run = 0
	}
	return run%2 == 0
}

// DecodeHeader decodes RFC 2047 encoded-words and removes control
// characters (CR, LF, tabs become spaces), so that a decoded value can never
// inject a header line. Raw 8-bit text that is not UTF-8 is read as
// Windows-1252.
func DecodeHeader(s string) string { return decodeHeader(s, nil) }

// decodeHeader is DecodeHeader with the charsets to try first on raw
// 8-bit text (see raw8bit).
func decodeHeader(s string, hints []string) string {
	s = raw8bit(s, hints)
	if d, err := wordDecoder.DecodeHeader(relabelWords(repairWords(s))); err == nil {
		s = d
	}
	return cleanLine(strings.ToValidUTF8(s, "\uFFFD"))
}

func cleanLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

var addrParser = &mail.AddressParser{WordDecoder: wordDecoder}

// addressList parses an address list leniently: where net/mail refuses the
// whole list, each comma-separated piece is tried on its own, and a bare
// address inside angle brackets is still found.
func addressList(s string) []Address { return addressListHint(s, nil) }

// addressListHint is addressList with the charsets to try first on raw
// 8-bit text (see raw8bit).
func addressListHint(s string, hints []string) []Address {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	s = relabelWords(repairWords(raw8bit(s, hints)))
	if l, err := addrParser.ParseList(s); err == nil {
		return convert(l)
	}
	var out []Address
	for _, piece := range strings.Split(s, ",") {
		if a, err := addrParser.Parse(piece); err == nil {
			out = append(out, convert([]*mail.Address{a})...)
			continue
		}
		if i, j := strings.LastIndexByte(piece, '<'), strings.LastIndexByte(piece, '>'); i >= 0 && j > i {
			if addr := strings.ToLower(strings.TrimSpace(piece[i+1 : j])); plainAddr(addr) {
				out = append(out, Address{Name: DecodeHeader(strings.Trim(piece[:i], ` "`)), Address: addr})
			}
		} else {
			out = append(out, bareAddresses(piece)...)
		}
	}
	return out
}

// bareAddresses reads a piece of an address list written without angle
// brackets, as scripts write From: the words with an "@" are addresses
// ("a@x.example b@x.example": both), and the words before the first of
// them its display name ("Anna Andersson anna@af.se").
func bareAddresses(piece string) []Address {
	var out []Address
	var name []string
	for _, w := range strings.Fields(piece) {
		addr := strings.ToLower(strings.Trim(w, `<>()"',;`))
		if !strings.Contains(addr, "@") {
			if len(out) == 0 {
				name = append(name, w)
			}
			continue
		}
		if !plainAddr(addr) {
			continue
		}
		a := Address{Address: addr}
		if len(out) == 0 {
			a.Name = DecodeHeader(strings.Trim(strings.Join(name, " "), `"`))
		}
		out = append(out, a)
	}
	return out
}

// plainAddr reports whether an address net/mail refused is still usable:
// no spaces or control characters (a lone CR would end a header line of a
// reply) and valid UTF-8.
func plainAddr(s string) bool {
	return s != "" && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

func convert(l []*mail.Address) []Address {
	out := make([]Address, 0, len(l))
	for _, a := range l {
		out = append(out, Address{Name: cleanLine(a.Name), Address: strings.ToLower(a.Address)})
	}
	return out
}

// MsgIDs returns the message identifiers in a Message-ID, In-Reply-To or
// References value, without angle brackets. Text outside brackets (some
// clients add comments) is ignored; a value without brackets is taken whole.
func MsgIDs(s string) []string {
	var ids []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(s[i+1 : i+j]); id != "" && !strings.ContainsAny(id, " \t\r\n") {
			ids = append(ids, id)
		}
		s = s[i+j+1:]
	}
	if len(ids) == 0 {
		if t := strings.TrimSpace(s); t != "" && strings.Contains(t, "@") && !strings.ContainsAny(t, " \t\r\n<>") {
			ids = append(ids, t)
		}
	}
	return ids
}

func mediaType(h textproto.Header) (string, map[string]string) {
	return parseMediaType(h.Get("Content-Type"))
}

// parseMediaType parses a Content-Type value leniently; no value is
// text/plain.
func parseMediaType(v string) (string, map[string]string) {
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		// Keep what can be read of a malformed value: a missing closing
		// quote on the boundary, junk after the type ("text/plain>",
		// "text/html Content-Transfer-Encoding: 8bit").
		mt = strings.ToLower(strings.TrimSpace(mediaTypeRe.FindString(v)))
		params = map[string]string{}
		for _, p := range strings.Split(v, ";")[1:] {
			if k, val, ok := strings.Cut(p, "="); ok {
				params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
	}
	if !strings.Contains(mt, "/") {
		mt = "text/plain" // RFC 2045 section 5.2
	}
	return mt, params
}

// mediaTypeRe matches the type/subtype at the start of a Content-Type
// value (RFC 2045 tokens).
var mediaTypeRe = regexp.MustCompile("^[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+")

// body is one candidate text part.
type body struct {
	text string
	html bool
}

type walker struct {
	msg      *Message
	spill    string // Options.SpillDir
	budget   int64  // attachment bytes still allowed
	size     int64  // of the whole raw message, when the reader tells; 0 if not
	parts    int
	plain    []body
	html     []body
	txtAtt   []body // text/plain attachments, a fallback body
	tnefBody []body // the bodies of winmail.dat, when the message has none
	inner    []body // the text of attached messages, the last fallback
	text     int    // bytes of text read so far (maxTextBytes in all)
	hints    []string
	// scratch is set for an attached message's walker: its attachments
	// are read only for their text.
	scratch bool
	// The faults met (see Message.Fault).
	tooDeep, tooMany, noParts bool
}

// hint records a charset a part declares, for the raw 8-bit header text.
func (w *walker) hint(cs string) {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"`))
	if cs == "" || len(w.hints) >= 8 || slices.Contains(w.hints, cs) {
		return
	}
	w.hints = append(w.hints, cs)
}

// fault returns what Message.Fault says of the walk.
func (w *walker) fault() error {
	var errs []error
	if w.tooDeep {
		errs = append(errs, ErrTooDeep)
	}
	if w.tooMany {
		errs = append(errs, ErrTooManyParts)
	}
	if w.noParts && strings.TrimSpace(w.msg.Text) == "" && len(w.msg.Attachments) == 0 {
		errs = append(errs, ErrNoPart)
	}
	return errors.Join(errs...)
}

func (w *walker) problem(format string, args ...any) {
	if len(w.msg.Problems) < 50 {
		w.msg.Problems = append(w.msg.Problems, fmt.Sprintf(format, args...))
	}
}

// entity reads one MIME entity whose header is h and whose body is r.
func (w *walker) entity(h textproto.Header, r io.Reader, depth int) {
	w.parts++
	if w.parts > maxParts {
		if w.parts == maxParts+1 {
			w.problem("more than %d parts; the rest was not read", maxParts)
			w.tooMany = true
		}
		return
	}
	mt, params := mediaType(h)
	w.hint(params["charset"])
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = decodeHeader(filename, append([]string{params["charset"]}, w.hints...))

	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxDepth {
			w.problem("multipart nested deeper than %d levels; the inner parts were not read", maxDepth)
			w.tooDeep = true
			return
		}
		w.multipart(mt, params, h, r, depth)
		return
	}
	if mt == "message/rfc822" || mt == "text/rfc822-headers" || mt == "message/global" || mt == "message/global-headers" {
		if w.msg.MediaType == "multipart/report" {
			w.reported(transferDecoder(h.Get("Content-Transfer-Encoding"), r))
			return
		}
	}
	w.leaf(mt, params, disp, filename, h, r, depth)
}

// multipart reads the parts of a multipart entity. A multipart whose
// boundary is missing or occurs nowhere, or that has no part, is read as
// text.
func (w *walker) multipart(mt string, params map[string]string, h textproto.Header, r io.Reader, depth int) {
	boundary := params["boundary"]
	if boundary == "" {
		w.problem("%s without a boundary; read as text", mt)
		w.leaf("text/plain", params, "", "", h, r, depth)
		return
	}
	mr := newMultipartReader(r, boundary)
	for {
		ph, body, problems, err := mr.NextPart()
		for _, p := range problems {
			w.problem("%s part %d: %s", mt, mr.part, p)
		}
		switch {
		case err == errNoBoundary, err == errNoParts:
			if err == errNoBoundary {
				w.problem("%s with boundary %q unreadable (%v); read as text", mt, boundary, err)
			} else {
				w.problem("%s has no parts (boundary %q not found before its closing line); read as text", mt, boundary)
			}
			w.noParts = true
			w.leaf("text/plain", params, "", "", h, bytes.NewReader(mr.Text()), depth)
			return
		case err == io.EOF:
			return
		case err != nil:
			w.problem("broken %s: %v", mt, err)
			return
		}
		if mt == "multipart/digest" && ph.Get("Content-Type") == "" {
			// RFC 2046 section 5.1.5: a digest's parts are messages.
			ph.Set("Content-Type", "message/rfc822")
		}
		w.entity(ph, body, depth+1)
	}
}

// reported reads the returned header of a delivery report.
func (w *walker) reported(r io.Reader) {
	br := bufio.NewReader(io.LimitReader(r, maxHeaderBytes))
	h, err := textproto.ReadHeader(br)
	if err != nil && h.Len() == 0 {
		w.problem("unreadable returned message in report: %v", err)
		return
	}
	w.msg.ReportedMessageIDs = append(w.msg.ReportedMessageIDs, MsgIDs(h.Get("Message-Id"))...)
}

func (w *walker) leaf(mt string, params map[string]string, disp, filename string, h textproto.Header, r io.Reader, depth int) {
	cte := h.Get("Content-Transfer-Encoding")
	if !knownEncoding(cte) {
		w.problem("unknown Content-Transfer-Encoding %q in %s part; read as is", cte, mt)
	}
	dec := transferDecoder(cte, r)
	switch {
	case (mt == "text/plain" || mt == "text/html") && disp != "attachment" && filename == "":
		if strings.EqualFold(strings.TrimSpace(cte), "base64") {
			dec = w.textBase64(mt, params["charset"], r)
		}
		if text, ok := w.readText(mt, params, dec); ok && mt == "text/html" {
			w.html = append(w.html, body{text: text, html: true})
		} else if ok {
			w.plain = append(w.plain, body{text: text})
		}
	case isTNEF(mt, filename):
		w.tnef(mt, params, filename, dec, depth)
	case mt == "message/rfc822" || mt == "message/global":
		// Kept as an attachment; its text is the body when the message
		// has none of its own (a forward as attachment, a digest).
		w.attachment(mt, params, filename, dec, func(r io.Reader) { w.embedded(r, depth+1) })
	default:
		w.attachment(mt, params, filename, dec, nil)
	}
}

// readText reads and decodes a text part of the body, within what is left
// of maxTextBytes; ok is false when there was no room left.
func (w *walker) readText(mt string, params map[string]string, dec io.Reader) (text string, ok bool) {
	room := maxTextBytes - w.text
	if room <= 0 {
		w.problem("%s part not read: the message's text is over %d bytes (the raw message is kept whole)", mt, maxTextBytes)
		_, _ = io.Copy(io.Discard, dec)
		return "", false
	}
	b, err := io.ReadAll(io.LimitReader(dec, int64(room)+1))
	if err != nil {
		w.problem("%s part partly unreadable: %v", mt, err)
	}
	if len(b) > room {
		w.problem("%s part cut: the message's text is over %d bytes (the raw message is kept whole)", mt, maxTextBytes)
		b = b[:room]
		// Do not cut the last UTF-8 sequence in two, or the text is
		// no longer valid UTF-8 and would be read as Windows-1252.
		for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
			if utf8.RuneStart(b[len(b)-k]) {
				if !utf8.FullRune(b[len(b)-k:]) {
					b = b[:len(b)-k]
				}
				break
			}
		}
		_, _ = io.Copy(io.Discard, dec)
	}
	w.text += len(b)
	cs := params["charset"]
	if cs != "" && !knownCharset(cs) {
		w.problem("unknown charset %q in %s part; read as UTF-8 or Windows-1252", cs, mt)
	}
	text = DecodeText(b, cs)
	if mt == "text/plain" && strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	return text, true
}

// attachment records a part that is not the body. inner, when not nil,
// reads the part's content as it is being kept.
func (w *walker) attachment(mt string, params map[string]string, filename string, r io.Reader, inner func(io.Reader)) {
	a := Attachment{Filename: SanitizeFilename(filename, mt), ContentType: mt}
	hash := sha256.New()
	keep := w.budget
	dst := &spillWriter{keep: keep, dir: w.spill, text: mt == "text/plain"}
	// A decoded part is at most about 3/4 of the raw message: growing to
	// that at once spares a large attachment the doubling copies.
	if hint := min(keep+1, w.size*3/4+4096); hint > 64<<10 && dst.dir == "" {
		dst.buf.Grow(int(hint))
	}
	sink := io.MultiWriter(hash, dst)
	if inner != nil {
		inner(io.TeeReader(r, sink))
	}
	_, err := io.Copy(sink, r)
	n := dst.n
	a.Size = n
	a.SHA256 = hex.EncodeToString(hash.Sum(nil))
	if err != nil {
		w.problem("attachment %q partly unreadable: %v", a.Filename, err)
	}
	if ferr := dst.close(); ferr != nil {
		w.problem("attachment %q could not be kept: %v", a.Filename, ferr)
		n = keep + 1 // not kept
	}
	switch {
	case n <= keep && dst.file != nil:
		a.File = dst.file.Name()
		w.budget -= n
	case n <= keep:
		a.Content = dst.buf.Bytes()
		if cap(a.Content) > 2*len(a.Content)+4096 {
			a.Content = bytes.Clone(a.Content) // do not hold on to the hint
		}
		if a.Content == nil {
			a.Content = []byte{} // kept, and empty
		}
		w.budget -= n
	default:
		if dst.file != nil {
			os.Remove(dst.file.Name())
		}
		a.Dropped = fmt.Sprintf("larger than the %d MB kept per message", w.maxMB())
		if !w.scratch {
			w.problem("attachment %q (%d bytes) not kept: %s", a.Filename, n, a.Dropped)
		}
	}
	if mt == "text/plain" && a.Content != nil {
		w.txtAtt = append(w.txtAtt, body{text: DecodeText(a.Content, params["charset"])})
	}
	w.msg.Attachments = append(w.msg.Attachments, a)
}

// embedded reads the text of an attached message into w.inner, with a
// walker of its own whose attachments are read only for their text.
func (w *walker) embedded(r io.Reader, depth int) {
	if depth >= maxDepth {
		w.problem("attached message nested deeper than %d levels; not read", maxDepth)
		w.tooDeep = true
		return
	}
	lr := &lineReader{br: bufio.NewReader(r)}
	hd := readHeader(lr, true, nil)
	if hd.h.Len() == 0 {
		w.problem("attached message without a header; its text was not read")
		return
	}
	sub := &walker{msg: &Message{}, budget: min(w.budget, maxTextBytes), parts: w.parts, text: w.text, scratch: true}
	sub.entity(hd.h, lr, depth)
	sub.msg.chooseBody(sub)
	w.parts, w.text = sub.parts, sub.text
	w.tooDeep, w.tooMany = w.tooDeep || sub.tooDeep, w.tooMany || sub.tooMany
	for _, p := range append(hd.problems, sub.msg.Problems...) {
		w.problem("attached message: %s", p)
	}
	if strings.TrimSpace(sub.msg.Text) != "" {
		w.inner = append(w.inner, body{text: sub.msg.Text, html: sub.msg.FromHTML})
	}
}

// spillWriter keeps up to keep bytes: in memory, or, past spillOver and
// with a directory to spill to, in a temporary file. What is past keep is
// discarded, so the whole stream is still hashed and counted.
type spillWriter struct {
	keep int64
	dir  string
	text bool // text/plain is read as a body too: kept in memory
	buf  bytes.Buffer
	file *os.File
	n    int64
	err  error
}

func (s *spillWriter) Write(p []byte) (int, error) {
	size := len(p)
	if room := s.keep - s.n; int64(len(p)) > room {
		p = p[:max(room, 0)]
	}
	s.n += int64(size)
	if len(p) == 0 || s.err != nil {
		return size, nil
	}
	if s.file == nil && s.dir != "" && !s.text && int64(s.buf.Len()+len(p)) > spillOver {
		f, err := os.CreateTemp(s.dir, "lexheller-attachment-*")
		if err != nil {
			s.err = err
			return size, nil
		}
		s.file = f
		_, s.err = f.Write(s.buf.Bytes())
		s.buf = bytes.Buffer{}
	}
	if s.file != nil {
		if s.err == nil {
			_, s.err = s.file.Write(p)
		}
		return size, nil
	}
	s.buf.Write(p)
	return size, nil
}

func (s *spillWriter) close() error {
	if s.file == nil {
		return s.err
	}
	err := errors.Join(s.err, s.file.Close())
	if err != nil {
		os.Remove(s.file.Name())
		s.file = nil
	}
	return err
}

func (w *walker) maxMB() int64 {
	total := w.budget
	for _, a := range w.msg.Attachments {
		if a.Kept() {
			total += a.Size
		}
	}
	return (total + 1<<19) >> 20
}

// chooseBody sets Text: the text/plain parts, unless they are empty or a
// stub beside a real HTML part; else the HTML parts; else text/plain
// attachments; else the text of attached messages.
func (m *Message) chooseBody(w *walker) {
	if strings.TrimSpace(joinBodies(w.plain)+joinBodies(w.html)) == "" && len(w.tnefBody) > 0 {
		// Outlook writes the body beside winmail.dat as well, when it
		// writes it at all.
		w.plain, w.html = nil, nil
		for _, b := range w.tnefBody {
			if b.html {
				w.html = append(w.html, b)
			} else {
				w.plain = append(w.plain, b)
			}
		}
	}
	plain := joinBodies(w.plain)
	var html []string
	flat := false
	for _, b := range w.html {
		text, f := htmlToText(b.text)
		flat = flat || f
		html = append(html, text)
	}
	if strings.TrimSpace(plain) != "" && !isStub(plain, strings.Join(html, "\n")) {
		m.Text = plain
	} else if len(html) > 0 {
		if flat {
			w.problem("text/html part nested too deeply; read without its structure")
		}
		m.Text = strings.Join(html, "\n")
		m.FromHTML = true
	}
	if strings.TrimSpace(m.Text) == "" && len(w.txtAtt) > 0 {
		m.Text = joinBodies(w.txtAtt)
		m.FromAttachment = strings.TrimSpace(m.Text) != ""
	}
	if strings.TrimSpace(m.Text) == "" && len(w.inner) > 0 {
		m.Text = joinBodies(w.inner)
		m.FromAttachment = strings.TrimSpace(m.Text) != ""
		m.FromHTML = slices.ContainsFunc(w.inner, func(b body) bool { return b.html })
	}
	m.Text = normalizeNewlines(m.Text)
}

// joinBodies joins the texts that are not blank.
func joinBodies(bs []body) string {
	var parts []string
	for _, b := range bs {
		if strings.TrimSpace(b.text) != "" {
			parts = append(parts, b.text)
		}
	}
	return strings.Join(parts, "\n")
}

// isStub reports whether the plain text is a stub beside the HTML's text
// ("This HTML newsletter can be read here", a line of a signature): it
// has under a third of the HTML's letters and digits, and 100 fewer.
func isStub(plain, html string) bool {
	p, h := countAlnum(plain), countAlnum(html)
	return h > 3*p && h-p >= 100
}

func countAlnum(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\u00a0", " ")
}

func knownEncoding(enc string) bool {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "7bit", "8bit", "binary", "quoted-printable", "base64":
		return true
	}
	return false
}

func transferDecoder(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: r})
	default:
		return r
	}
}

// textBase64 decodes a text part declared base64, unless it is plainly
// no base64 but text (a script that declared base64 and sent the text as
// it was), which is then read as it is.
func (w *walker) textBase64(mt, cs string, r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(4096)
	if notBase64(head, cs) {
		w.problem("%s part declared base64 is plain text; read as it is", mt)
		return br
	}
	return transferDecoder("base64", br)
}

// notBase64 reports whether b, the start of a part declared base64 in
// charset cs, is text: it reads as words (white space every few
// characters, where base64 has long lines), and its base64 decoding does
// not read as text (see textual). Base64 with stray spaces decodes to
// text, and base64 with a broken spot is long lines.
func notBase64(b []byte, cs string) bool {
	words := bytes.Fields(b)
	letters := 0
	for _, w := range words {
		letters += len(w)
	}
	if len(words) < 5 || letters > 20*len(words) {
		return false
	}
	if cs = strings.ToLower(cs); strings.Contains(cs, "16") || strings.Contains(cs, "32") {
		return false // UTF-16 and UTF-32 text holds NUL bytes
	}
	return !textual(lenientBase64(string(b)))
}

// textual reports whether d reads as text in an ASCII-based charset: no
// control characters but a rare one, and valid UTF-8 or white space every
// few bytes (random bytes have neither).
func textual(d []byte) bool {
	ctrl, space := 0, 0
	for _, c := range d {
		switch {
		case c == ' ', c == '\t', c == '\n', c == '\r':
			space++
		case c < 0x20 && c != '\f' && c != 0x1b, c == 0x7f:
			ctrl++
		}
	}
	if ctrl >= 2 && ctrl*20 > len(d) {
		return false
	}
	return utf8.Valid(d) || space*15 >= len(d)
}

func isBase64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// base64Cleaner drops everything that is not base64 alphabet, as mail
// readers do, so stray spaces or a broken line do not end the part.
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		k := 0
		for _, b := range p[:n] {
			if isBase64Byte(b) || b == '=' {
				p[k] = b
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

func knownCharset(cs string) bool {
	_, err := charset.Reader(cs, strings.NewReader(""))
	return err == nil
}

// latinLabels are the labels read by DecodeText's fallback chain: UTF-8,
// else Windows-1252 (which ISO-8859-1 and US-ASCII labels stand for).
var latinLabels = map[string]bool{
	"": true, "utf-8": true, "utf8": true, "us-ascii": true, "ascii": true, "iso-8859-1": true,
	"iso8859-1": true, "latin1": true, "latin-1": true, "windows-1252": true, "cp1252": true,
	"x-unknown": true, "unknown-8bit": true,
}

// DecodeText turns bytes labelled with charset cs into UTF-8: the declared
// charset when it is known and not a Latin-1 or ASCII label, else UTF-8
// where the bytes are valid UTF-8 and Windows-1252 where they are not,
// line by line (see mixedText); bytes without a label that are Chinese,
// Japanese or Korean text are read in their charset (see detectCJK). A
// byte order mark overrides the label and is removed. C1 control
// characters, which text never holds, are read as the Windows-1252
// characters of their bytes (see fixC1).
func DecodeText(b []byte, cs string) string {
	return fixC1(decodeText(b, cs))
}

// fixC1 replaces each C1 control character (U+0080-U+009F) by the
// Windows-1252 character of the same byte ("€" for U+0080), or U+FFFD
// where Windows-1252 has none: a C1 character in text is a Windows-1252
// byte that was read as Latin-1 on its way (an HTML file saved as UTF-8
// from Windows-1252, a charset label for ISO-8859-x over Windows bytes).
func fixC1(s string) string {
	if !strings.ContainsFunc(s, isC1) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isC1(r) {
			return charmap.Windows1252.DecodeByte(byte(r))
		}
		return r
	}, s)
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

func decodeText(b []byte, cs string) string {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"`))
	// A byte order mark wins over the label, as in browsers (Notepad
	// writes one into .txt files).
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b, cs = b[3:], "utf-8"
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		cs = "utf-16"
	}
	if !latinLabels[cs] {
		if r, err := charset.Reader(cs, bytes.NewReader(b)); err == nil {
			if out, err := io.ReadAll(r); err == nil && utf8.Valid(out) {
				return string(out)
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	if unlabelled[cs] || !knownCharset(cs) {
		if s, ok := detectCJK(b); ok {
			return s
		}
	}
	return mixedText(b)
}

// mixedText decodes b, which is not valid UTF-8, line by line, so that one
// stray byte does not spoil the whole text: a valid line is UTF-8; a line
// whose valid multi-byte UTF-8 sequences outweigh its invalid bytes (a
// UTF-8 line with a stray byte) is UTF-8 with each invalid byte read as
// Windows-1252; any other line (Latin-1 text) is Windows-1252. A sequence
// weighs a byte less than its length: Latin-1 text often holds a valid
// two-byte pair ("Ä–"), but hardly ever a three-byte one ("à" and two
// symbols), so "是" and a stray byte is UTF-8. A body all in Windows-1252
// reads as it would whole.
func mixedText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n') + 1
		if i == 0 {
			i = len(b)
		}
		line := b[:i]
		b = b[i:]
		multi, invalid := 0, 0
		for k := 0; k < len(line); {
			r, size := utf8.DecodeRune(line[k:])
			switch {
			case r == utf8.RuneError && size <= 1:
				invalid++
			case size > 1:
				multi += size - 1
			}
			k += max(size, 1)
		}
		for k := 0; k < len(line); {
			r, size := utf8.DecodeRune(line[k:])
			if invalid >= multi || r == utf8.RuneError && size <= 1 {
				r, size = charmap.Windows1252.DecodeByte(line[k]), 1
			}
			sb.WriteRune(r)
			k += size
		}
	}
	return sb.String()
}

// unflow joins the soft line breaks of a format=flowed body (RFC 3676
// section 4.2): a line ending in a space continues on the next line.
func unflow(s string, delsp bool) string {
	s = normalizeNewlines(s)
	lines := strings.Split(s, "\n")
	var out []string
	var cur strings.Builder
	open := false
	depth := 0 // quote depth of the open paragraph
	for _, l := range lines {
		quote := 0
		for quote < len(l) && l[quote] == '>' {
			quote++
		}
		if open && quote != depth {
			// A change of quote depth ends a paragraph (section 4.5),
			// so a quote never runs into the new text.
			out = append(out, cur.String())
			cur.Reset()
			open = false
		}
		depth = quote
		content := l[quote:]
		if strings.HasPrefix(content, " ") { // space-stuffing
			content = content[1:]
		}
		if quote == 0 && content == "-- " { // signature separator
			if open {
				out = append(out, cur.String())
				cur.Reset()
				open = false
			}
			out = append(out, "-- ")
			continue
		}
		if !open {
			cur.WriteString(strings.Repeat(">", quote))
		}
		if strings.HasSuffix(content, " ") {
			if delsp {
				content = content[:len(content)-1]
			}
			cur.WriteString(content)
			open = true
			continue
		}
		cur.WriteString(content)
		out = append(out, cur.String())
		cur.Reset()
		open = false
	}
	if open {
		out = append(out, cur.String())
	}
	return strings.Join(out, "\n")
}

// SanitizeFilename returns a safe base name for an attachment: no
// directories, no control or bidi characters, no leading dots, no
// personnummer, at most 120 characters, and a name made up from the type
// when nothing is left.
func SanitizeFilename(name, contentType string) string {
	// A file name is stored, listed to the process leaders and logged: a
	// personnummer in it is masked like one in the text, before the
	// characters that could separate its groups ("<br>", "/") are changed.
	name = form.MaskPII(name)
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '/', r == ':', r == '*', r == '?', r == '"', r == '<', r == '>', r == '|':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimSpace(strings.TrimLeftFunc(b.String(), func(r rune) bool { return r == '.' || unicode.IsSpace(r) }))
	name = form.MaskPII(name)
	if utf8.RuneCountInString(name) > 120 {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:120-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" {
		name = "bilaga"
		if ext, ok := extensions[contentType]; ok {
			name += ext
		} else if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

// extensions are the usual extensions of common types: mime.ExtensionsByType
// lists all the system knows, sorted, e.g. ".asc" first for text/plain.
var extensions = map[string]string{
	"text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics", "message/rfc822": ".eml",
	"application/pdf": ".pdf", "application/zip": ".zip", "image/jpeg": ".jpg", "image/png": ".png",
	"application/ms-tnef": ".dat", "application/vnd.ms-tnef": ".dat",
}
