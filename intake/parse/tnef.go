package parse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"

	"github.com/teamwork/tnef"
)

// Outlook's winmail.dat (application/ms-tnef, MS-OXTNEF) carries the body
// and the attachments of a message sent in Outlook's rich text format.
// github.com/teamwork/tnef decodes it; what it gives is read like the
// message's own parts.

// MAPI properties the tnef package has no name for (MS-OXPROPS).
const (
	mapiInternetCPID  = 0x3FDE // PidTagInternetCodepage
	mapiMessageCPID   = 0x3FFD // PidTagMessageCodepage
	mapiTypeUnicode   = 0x001F // PtypString, UTF-16LE (PtypString8 is in the code page)
	mapiTypeInteger32 = 0x0003
)

// isTNEF reports whether a part is a winmail.dat, whatever type a relay
// gave it.
func isTNEF(mt, filename string) bool {
	switch mt {
	case "application/ms-tnef", "application/vnd.ms-tnef", "application/x-tnef":
		return true
	}
	return strings.EqualFold(path.Base(strings.ReplaceAll(filename, `\`, "/")), "winmail.dat")
}

// tnef reads a winmail.dat: its body becomes a text part and its
// attachments the message's. A winmail.dat that is too large or cannot be
// decoded is kept as it is.
func (w *walker) tnef(mt string, params map[string]string, filename string, r io.Reader, depth int) {
	b, err := io.ReadAll(io.LimitReader(r, w.budget+1))
	if err != nil || int64(len(b)) > w.budget {
		// Too large to decode (or broken off): record it as it is.
		w.attachment(mt, params, filename, io.MultiReader(bytes.NewReader(b), r), nil)
		return
	}
	data, err := decodeTNEF(b)
	if err == nil && len(data.Body) == 0 && len(data.BodyHTML) == 0 && len(data.Attachments) == 0 {
		err = errors.New("no body and no attachment in it")
		if hasAttribute(data.Attributes, tnef.MAPIRtfCompressed) {
			// Compressed RTF (MS-OXRTFCP) is not read.
			err = errors.New("its text is only compressed RTF")
		}
	}
	if err != nil {
		w.problem("winmail.dat unreadable (%v); kept as it is", err)
		w.attachment(mt, params, filename, bytes.NewReader(b), nil)
		return
	}
	cs := tnefCharset(data.Attributes)
	for _, prop := range []int{tnef.MAPIBody, tnef.MAPIBodyHTML} {
		b, typ := tnefBody(data, prop)
		if len(b) == 0 {
			continue
		}
		mt := map[int]string{tnef.MAPIBody: "text/plain", tnef.MAPIBodyHTML: "text/html"}[prop]
		if t, ok := w.readText(mt, map[string]string{"charset": tnefTextCharset(typ, cs)}, bytes.NewReader(b)); ok {
			w.tnefBody = append(w.tnefBody, body{text: t, html: prop == tnef.MAPIBodyHTML})
		}
	}
	if len(w.tnefBody) == 0 && hasAttribute(data.Attributes, tnef.MAPIRtfCompressed) {
		w.problem("winmail.dat holds its text only as compressed RTF, which is not read")
	}
	for _, a := range data.Attachments {
		amt := typeByExtension(a.Title)
		var inner func(io.Reader)
		if amt == "message/rfc822" {
			inner = func(r io.Reader) { w.embedded(r, depth+1) }
		}
		w.attachment(amt, map[string]string{}, a.Title, bytes.NewReader(a.Data), inner)
	}
}

// decodeTNEF is tnef.Decode, which indexes its input without checking
// lengths: a malformed winmail.dat makes it panic, which here is an error.
func decodeTNEF(b []byte) (data *tnef.Data, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, fmt.Errorf("malformed TNEF: %v", p)
		}
	}()
	if len(b) < 6 {
		return nil, tnef.ErrNoMarker
	}
	return tnef.Decode(b)
}

// tnefBody returns the value of a body property without its terminating
// NULs, and its MAPI type.
func tnefBody(data *tnef.Data, name int) ([]byte, int) {
	for _, a := range data.Attributes {
		if a.Name != name {
			continue
		}
		v := a.Data
		if a.Type == mapiTypeUnicode {
			for len(v) >= 2 && v[len(v)-1] == 0 && v[len(v)-2] == 0 {
				v = v[:len(v)-2]
			}
		} else {
			v = bytes.TrimRight(v, "\x00")
		}
		return v, a.Type
	}
	return nil, 0
}

func hasAttribute(attrs []tnef.MAPIAttribute, name int) bool {
	for _, a := range attrs {
		if a.Name == name {
			return true
		}
	}
	return false
}

// tnefCharset returns the charset of the message's code page, or "".
func tnefCharset(attrs []tnef.MAPIAttribute) string {
	for _, name := range []int{mapiInternetCPID, mapiMessageCPID} {
		for _, a := range attrs {
			if a.Name == name && a.Type == mapiTypeInteger32 && len(a.Data) >= 4 {
				if cs, ok := codePages[binary.LittleEndian.Uint32(a.Data)]; ok {
					return cs
				}
			}
		}
	}
	return ""
}

func tnefTextCharset(typ int, cs string) string {
	if typ == mapiTypeUnicode {
		return "utf-16le"
	}
	return cs
}

// codePages names the Windows code pages mail is written in.
var codePages = map[uint32]string{
	874: "windows-874", 932: "shift_jis", 936: "gbk", 949: "euc-kr", 950: "big5",
	1200: "utf-16le", 1250: "windows-1250", 1251: "windows-1251", 1252: "windows-1252",
	1253: "windows-1253", 1254: "windows-1254", 1255: "windows-1255", 1256: "windows-1256",
	1257: "windows-1257", 1258: "windows-1258", 20127: "us-ascii", 20866: "koi8-r",
	28591: "iso-8859-1", 28592: "iso-8859-2", 28605: "iso-8859-15", 50220: "iso-2022-jp",
	51932: "euc-jp", 54936: "gb18030", 65001: "utf-8",
}

// typeByExtension returns the media type of a file name's extension: a
// TNEF attachment has no type of its own. The common types are named here,
// so that they do not depend on the system's MIME tables.
func typeByExtension(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := extensionTypes[ext]; ok {
		return t
	}
	if t, _, _ := strings.Cut(mime.TypeByExtension(ext), ";"); t != "" {
		return t
	}
	return "application/octet-stream"
}

var extensionTypes = map[string]string{
	".txt": "text/plain", ".htm": "text/html", ".html": "text/html", ".ics": "text/calendar",
	".eml": "message/rfc822", ".pdf": "application/pdf", ".zip": "application/zip",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".msg": "application/vnd.ms-outlook",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
