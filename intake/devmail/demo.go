package devmail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/smtp"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"lexheller/intake/parse"
	"lexheller/templates"
)

// Demo plays one case's life on the dev mail system: people write and
// read mail over SMTP and IMAP as their mail clients would, and the daemon
// does the rest through its usual pipeline. `lexheller demo` runs it.
type Demo struct {
	Out    io.Writer
	Server *Server
	Domain string
	seen   map[string]int // messages already shown, per mailbox
	step   int
}

// Steps is how many steps Play has shown.
func (d *Demo) Steps() int { return d.step }

func (d *Demo) addr(local string) string { return local + "@" + d.Domain }

// Play plays the script against the daemon reading shared, with leader
// as the process leader; it returns the case's ID.
func (d *Demo) Play(shared, leader string) (string, error) {
	reporter, fk := d.addr("anna.andersson"), d.addr("fk")
	blanket := "Datum för händelsen: " + time.Now().Format(time.DateOnly) + `
Namn: Anna Andersson
Organisation: Arbetsförmedlingen Angered
E-post: ` + reporter + `
Berörda parter: Försäkringskassan, Arbetsförmedlingen
Vad hände?:
Personen (850312-1231) fick sin sjukpenning indragen av Försäkringskassan med
motiveringen att hen kan arbeta, men skrevs samma vecka ut från
Arbetsförmedlingen eftersom hen bedömdes sakna arbetsförmåga.
Konsekvens för individen:
Ingen ersättning alls sedan två månader.
Förslag på lösning:
Ett gemensamt avstämningsmöte innan beslut.
Får vi kontakta dig?: Ja
`
	d.title("Anmälaren skickar blanketten till förbundet")
	if err := d.send(reporter, "Anna Andersson", shared, "Lex Heller-anmälan", blanket, nil); err != nil {
		return "", err
	}
	ack, err := d.await(reporter, "Vi har tagit emot")
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`\[([A-Z][A-Z0-9]*-\d{4}-\d{4})\]`).FindStringSubmatch(d.subject(ack))
	if m == nil {
		return "", errors.New("the acknowledgement has no case number")
	}
	caseID := m[1]
	notice, err := d.await(leader, "Nytt ärende")
	if err != nil {
		return "", err
	}

	d.title("Processledaren frågar anmälaren (svarar på mejlet, utan kommandon)")
	if err := d.reply(notice, leader, "Hej Anna! Vet du vilket kontor på Försäkringskassan som fattade beslutet?"); err != nil {
		return "", err
	}
	q, err := d.await(reporter, "Fråga om din anmälan")
	if err != nil {
		return "", err
	}

	d.title("Anmälaren svarar")
	if err := d.reply(q, reporter, "Det var lokalkontoret i Angered."); err != nil {
		return "", err
	}
	rn, err := d.await(leader, "lokalkontoret i Angered")
	if err != nil {
		return "", err
	}

	d.title("Processledaren sätter nivå och vidarebefordrar till FK")
	if err := d.reply(rn, leader, "/nivå organisering\n/tema sjukskrivning\n/vidarebefordra FK\n"+
		"Hur kan besluten om sjukpenning och utskrivning stämmas av med varandra?"); err != nil {
		return "", err
	}
	if _, err := d.await(leader, "Kommandona är genomförda"); err != nil {
		return "", err
	}
	fwd, err := d.await(fk, "Ärende från")
	if err != nil {
		return "", err
	}

	d.title("FK:s representant svarar")
	if err := d.reply(fwd, fk, "Vi inför en avstämning med Arbetsförmedlingen innan sjukpenning dras in."); err != nil {
		return "", err
	}
	an, err := d.await(leader, "Svar från Försäkringskassan")
	if err != nil {
		return "", err
	}

	d.title("Processledaren återkopplar till anmälaren, med FK:s svar")
	if err := d.reply(an, leader, "/återkoppla med svar\nTack för din anmälan! Så här har Försäkringskassan svarat."); err != nil {
		return "", err
	}
	if _, err := d.await(reporter, "Återkoppling"); err != nil {
		return "", err
	}
	if _, err := d.await(leader, "Kommandona är genomförda"); err != nil {
		return "", err
	}

	d.title("Processledaren avslutar ärendet")
	if err := d.reply(an, leader, "/stäng"); err != nil {
		return "", err
	}
	if _, err := d.await(leader, "Kommandona är genomförda"); err != nil {
		return "", err
	}
	return caseID, nil
}

func (d *Demo) title(s string) {
	d.step++
	fmt.Fprintf(d.Out, "\n%d. %s\n", d.step, s)
}

// show prints a mail as a person sees it in their list: who, to whom,
// the subject and the first lines.
func (d *Demo) show(arrow string, raw []byte) {
	m, err := parse.Parse(bytes.NewReader(raw), nil)
	if err != nil {
		fmt.Fprintf(d.Out, "   %s (oläsligt mejl: %v)\n", arrow, err)
		return
	}
	var to []string
	for _, a := range m.To {
		to = append(to, a.Address)
	}
	fmt.Fprintf(d.Out, "   %s Från: %s\n     Till: %s\n     Ämne: %s\n", arrow, m.From.String(), strings.Join(to, ", "), m.Subject)
	lines := strings.Split(strings.TrimSpace(m.Text), "\n")
	for i, l := range lines {
		if i == 4 {
			fmt.Fprintln(d.Out, "     | …")
			break
		}
		fmt.Fprintf(d.Out, "     | %s\n", l)
	}
}

func (d *Demo) subject(raw []byte) string {
	m, err := parse.Parse(bytes.NewReader(raw), nil)
	if err != nil {
		return ""
	}
	return m.Subject
}

// send submits a mail as the person's mail client does.
func (d *Demo) send(from, name, to, subject, body string, extra []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.demo@%s>\r\n",
		(&mail.Address{Name: name, Address: from}).String(), to, mime.QEncoding.Encode("utf-8", subject),
		time.Now().Format(time.RFC1123Z), time.Now().UnixNano(), d.Domain)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	raw := []byte(b.String())
	d.show("→", raw)
	return smtp.SendMail(d.Server.SMTPAddr, nil, from, []string{to}, raw)
}

// reply answers orig as a mail client does: to its Reply-To, threaded,
// the original quoted below.
func (d *Demo) reply(orig []byte, from, body string) error {
	to, extra, subject, quoted, err := ReplyHeaders(orig)
	if err != nil {
		return err
	}
	return d.send(from, "", to, subject, body+"\n\n"+quoted, extra)
}

// ReplyHeaders returns what a reply to raw needs: the address to send to
// (Reply-To, else From), its threading headers, its subject with "SV: ",
// and the original text quoted.
func ReplyHeaders(raw []byte) (to string, headers []string, subject, quoted string, err error) {
	m, err := parse.Parse(bytes.NewReader(raw), nil)
	if err != nil {
		return "", nil, "", "", err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", nil, "", "", err
	}
	to = m.From.Address
	if rt, err := mail.ParseAddress(msg.Header.Get("Reply-To")); err == nil {
		to = rt.Address
	}
	if id := strings.TrimSpace(msg.Header.Get("Message-Id")); id != "" {
		refs := strings.TrimSpace(strings.Join(strings.Fields(msg.Header.Get("References")), " ") + " " + id)
		headers = []string{"In-Reply-To: " + id, "References: " + refs}
	}
	quoted = "Den " + time.Now().In(templates.Stockholm).Format("2006-01-02 15:04") + " skrev " + m.From.String() + ":\n> " +
		strings.ReplaceAll(strings.TrimSpace(m.Text), "\n", "\n> ")
	return to, headers, "SV: " + m.Subject, quoted, nil
}

// await waits for a new mail in addr's INBOX whose subject or text holds
// substr, read over IMAP, prints it and returns it.
func (d *Demo) await(addr, substr string) ([]byte, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, err := d.inbox(addr)
		if err != nil {
			return nil, err
		}
		for i := d.seen[addr]; i < len(msgs); i++ {
			m, err := parse.Parse(bytes.NewReader(msgs[i]), nil)
			if err == nil && (strings.Contains(m.Subject, substr) || strings.Contains(m.Text, substr)) {
				if d.seen == nil {
					d.seen = map[string]int{}
				}
				d.seen[addr] = i + 1
				d.show("←", msgs[i])
				return msgs[i], nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no mail with %q reached %s within 20 s", substr, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inbox reads every message in addr's INBOX over IMAP.
func (d *Demo) inbox(addr string) ([][]byte, error) {
	return ReadMailbox(d.Server.IMAPAddr, addr, "demo", "INBOX")
}

// ReadMailbox logs in to a plain-text IMAP server on loopback and reads
// every message of a mailbox, leaving them unseen; a mailbox that cannot
// be selected (it does not exist yet) reads as empty.
func ReadMailbox(imapAddr, user, password, mailbox string) ([][]byte, error) {
	c, err := imapclient.DialInsecure(imapAddr, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login(user, password).Wait(); err != nil {
		return nil, fmt.Errorf("log in as %s: %w", user, err)
	}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil, nil
	}
	var all imap.SeqSet
	all.AddRange(1, sel.NumMessages) // 1:N; SeqSetNum(1, N) would be just 1 and N
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, m := range msgs {
		out = append(out, m.FindBodySection(section))
	}
	return out, nil
}
