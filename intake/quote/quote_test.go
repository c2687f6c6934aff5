package quote

import (
	"strings"
	"testing"
)

func TestCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"outlook sv with underscores", `Tack, jag återkommer med svar från FK.

Anna

________________________________
Från: Lex Heller <lexheller@finsam.example>
Skickat: den 12 november 2026 10:14
Till: Anna Andersson <anna@af.se>
Ämne: [LH-2026-0042] Mottagen

Tack för din anmälan.`, "Tack, jag återkommer med svar från FK.\n\nAnna"},
		{"outlook sv without underscores", `Det stämmer.
Från: Lex Heller <lexheller@finsam.example>
Skickat: den 12 november 2026 10:14
Till: Anna Andersson <anna@af.se>
Ämne: [LH-2026-0042] Fråga`, "Det stämmer."},
		{"outlook sv, Datum and Kopia", `Se nedan.

Från: Processledare <pl@goteborg.example>
Datum: torsdag 12 november 2026 10:14
Kopia: FK <fk@example>`, "Se nedan."},
		{"outlook sv bold from HTML", `Svar: ja.

*Från:* Lex Heller <lexheller@finsam.example>
*Skickat:* den 12 november 2026 10:14`, "Svar: ja."},
		{"outlook en", `Yes, that is right.

From: Lex Heller <lexheller@finsam.example>
Sent: Thursday, November 12, 2026 10:14 AM
To: Anna Andersson <anna@af.se>
Subject: RE: [LH-2026-0042] Question`, "Yes, that is right."},
		{"ursprungligt meddelande", `Bifogar beslutet.

-----Ursprungligt meddelande-----
Från: Lex Heller [mailto:lexheller@finsam.example]
Skickat: den 12 november 2026 10:14`, "Bifogar beslutet."},
		{"original message", "See attached.\r\n\r\n-----Original Message-----\r\nFrom: x\r\n", "See attached."},
		{"vidarebefordrat", "FYI\n\n---------- Vidarebefordrat meddelande ---------\nFrån: x", "FYI"},
		{"den … skrev", `Ja, personen har fått beslut nu.

Den 12 nov. 2026 kl. 10:14 skrev Anna <a@b.se>:
> Har personen fått beslut?`, "Ja, personen har fått beslut nu."},
		{"den … skrev wrapped over two lines", `Ja, det gäller två personer.

Den tors 12 nov. 2026 kl. 10:14 skrev Lex Heller <
lexheller+LH-2026-0042@finsam.example>:

> Hur många berörs?`, "Ja, det gäller två personer."},
		{"den … skrev wrapped before the address", `Klart.
Den 12 nov. 2026 kl. 10:14 skrev Lex Heller
<lexheller@finsam.example>:
> Fråga`, "Klart."},
		{"on … wrote", `That is correct.

On Thu, 12 Nov 2026 at 10:14, Anna wrote:
> Is this correct?`, "That is correct."},
		{"on … wrote wrapped", "Sure.\n\nOn Thu, 12 Nov 2026 at 10:14, Anna Andersson <anna@af.se>\nwrote:\n> text", "Sure."},
		{"apple mail", `Ring mig gärna.

12 nov. 2026 kl. 10:14 skrev Anna:

> Kan vi ses?`, "Ring mig gärna."},
		{"apple mail, one-digit day", "Ja.\n\n3 nov. 2026 kl. 09:05 skrev Anna Andersson <anna@af.se>:\n\n> Fråga", "Ja."},
		{"apple mail en", "Yes.\n\nOn 12 Nov 2026, at 10:14, Anna <anna@af.se> wrote:\n\n> Question", "Yes."},
		{"gmail sv", "Ok.\n\nDen tors 12 nov. 2026 kl 10:14 skrev Lex Heller <lexheller@finsam.example>:\n\n> Fråga", "Ok."},
		{"gt quotes", "Ja.\n> Fråga?\n>> Äldre fråga?", "Ja."},
		{"inline answers", `> Vilken nivå gäller det?
Organisering.
> Vilka parter?
FK och AF.
>
> Lex Heller`, "Organisering.\nFK och AF."},
		{"inline answers below an attribution", `Den 12 nov. 2026 kl. 10:14 skrev Lex Heller <lexheller@finsam.example>:
> Vilken nivå gäller det?

Organisering.

> Vilka parter?

FK och AF.

> Mvh Lex Heller`, "Organisering.\n\n\nFK och AF."},
		{"inline answers below a wrapped attribution, greeting above", `Hej, svar nedan.

On Thu, 12 Nov 2026 at 10:14, Lex Heller
<lexheller@finsam.example> wrote:
> Level?
Structure.
> Parties?
FK.`, "Hej, svar nedan.\n\nStructure.\nFK."},
		{"top-posted reply with a disclaimer after the quote", `Tack!

Den 12 nov. 2026 kl. 10:14 skrev Lex Heller <lexheller@finsam.example>:
> Ärendet är mottaget.

Detta e-postmeddelande kan innehålla sekretessbelagd information.`, "Tack!"},
		{"skickat från min iphone", "Ok, jag ringer henne.\n\nSkickat från min iPhone\n\n> 12 nov. 2026 kl. 10:14 skrev Anna:", "Ok, jag ringer henne."},
		{"sent from my", "Fine.\nSent from my iPad", "Fine."},
		{"hämta outlook", "Ja.\n\nHämta Outlook för iOS", "Ja."},
		{"signature", "Tack för återkopplingen.\n\n-- \nAnna Andersson\nArbetsförmedlingen\n070-123 45 67", "Tack för återkopplingen."},
		{"signature without the space", "Tack.\n--\nAnna", "Tack."},
		{"crlf and trailing spaces", "Rad ett  \r\nRad två\t\r\n\r\nFrån: a\r\nTill: b\r\n", "Rad ett\nRad två"},
		{"commands", "/nivå organisering\n/parter FK AF\n/tema sjukskrivning\n\nDen 12 nov. 2026 kl. 10:14 skrev Lex Heller <lexheller@finsam.example>:\n> Nytt ärende",
			"/nivå organisering\n/parter FK AF\n/tema sjukskrivning"},
		{"vidarebefordra command with question below", "/vidarebefordra FK\nKan ni förklara beslutet?\n\n________________________________\nFrån: Anna",
			"/vidarebefordra FK\nKan ni förklara beslutet?"},

		// A line of new text just above an attribution is not part of it.
		{"new text ending above an attribution", `Svaret kom i dag.
On the phone they said no.
On Thu, 12 Nov 2026 at 10:14, Anna <anna@af.se> wrote:
> Any news?`, "Svaret kom i dag.\nOn the phone they said no."},
		{"digit line above an attribution", "2 personer berörs.\nDen 12 nov. 2026 kl. 10:14 skrev Anna <anna@af.se>:\n> Hur många?", "2 personer berörs."},

		// Not quoted history: must not be cut.
		{"skrev without time or address", "Jag skrev till FK den 3 november:\nVi har inte fått svar.", "Jag skrev till FK den 3 november:\nVi har inte fått svar."},
		{"den … skrev jag without time", "Den 3 november skrev jag till FK:\nInget svar.", "Den 3 november skrev jag till FK:\nInget svar."},
		{"från in running text", "Från: socialtjänsten har vi inte hört något.\nVi väntar fortfarande på besked.\n\nMvh Anna",
			"Från: socialtjänsten har vi inte hört något.\nVi väntar fortfarande på besked.\n\nMvh Anna"},
		{"from in running text", "From: what I understand, nothing happened.\nRegards", "From: what I understand, nothing happened.\nRegards"},
		{"commands only", "/nivå organisering\n/parter FK AF\n/stäng", "/nivå organisering\n/parter FK AF\n/stäng"},
		{"dashes in text", "Före --- efter\n---\nslut", "Före --- efter\n---\nslut"},
		{"short underscores", "Namn: ____\nOrg: ____", "Namn: ____\nOrg: ____"},
		{"empty", "", ""},
		{"only a quote", "> allt är citerat", ""},
	}
	for _, tt := range tests {
		if got := Cut(tt.in); got != tt.want {
			t.Errorf("%s: Cut(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCutLongInput(t *testing.T) {
	// A long text with no history is returned whole, and quickly.
	in := strings.Repeat("Den 12 nov. 2026 kl. 10:14 ringde jag.\n", 20000)
	if got := Cut(in); got != strings.TrimSpace(in) {
		t.Errorf("Cut(long) lost lines: %d of %d bytes", len(got), len(in))
	}
}
