package publish

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lexheller/intake/form"
	"lexheller/intake/store"
)

// editedText is a process leader's /redigera text: the description without
// names. The personnummer is there to show the edited text is still
// de-identified on the way out.
const editedText = "Deltagaren fick avslag från Försäkringskassan samma vecka som " +
	"Arbetsförmedlingen skrev ut hen (850312-1231)."

// originalOnly are parts of the fixture's original description that the
// edited text leaves out.
var originalOnly = []string{"fick avslag från FK", "ringde FK utan svar", "såg att personen"}

// A case with /redigera text publishes the edited description, not the
// reporter's: on its page, in the index and in the feed.
func TestPublishUsesTheEditedText(t *testing.T) {
	cases, fws := fixture()
	c := cases[0] // answered, both permissions
	c.Edited = editedText
	original := c.Description

	p := FromStore(c, fws[c.ID], "sv")
	if !strings.HasPrefix(p.Description, "Deltagaren fick avslag från Försäkringskassan") {
		t.Errorf("published description %q, want the edited text", p.Description)
	}
	if c.Description != original {
		t.Errorf("publishing changed the case's own description to %q", c.Description)
	}
	if pii := form.FindPII(p.Description); len(pii) > 0 || strings.Contains(p.Description, "850312") {
		t.Errorf("the edited text is published with a personnummer: %q", p.Description)
	}

	dir := t.TempDir()
	publishAll(t, dir, cases, fws)
	page, err := os.ReadFile(filepath.Join(dir, c.ID+".html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Deltagaren fick avslag från Försäkringskassan") {
		t.Errorf("the page lacks the edited description:\n%s", page)
	}
	for _, name := range []string{c.ID + ".html", "index.html", "feed.xml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range originalOnly {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds %q from the original description", name, s)
			}
		}
	}
}

// The same through the store: the Edited text saved by /redigera is what
// Published reads.
func TestPublishedReadsTheEditedText(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cases, _ := fixture()
	c := cases[0]
	c.Year, c.Seq, c.Language = 2026, 1, "sv"
	original := c.Description
	at := c.CreatedAt
	err = st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertCase(c); err != nil {
			return err
		}
		c.Edited, c.Publish, c.UpdatedAt = editedText, true, at.Add(time.Hour)
		if err := tx.UpdateCase(c); err != nil {
			return err
		}
		if err := tx.AddForward(&store.Forward{CaseID: c.ID, Party: "FK", Address: "fk.rep@fk.example", At: at}); err != nil {
			return err
		}
		_, err := tx.AnswerForward(c.ID, "fk.rep@fk.example", "Vi ser över rutinen.", at.Add(48*time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Description != original || stored.Edited != editedText {
		t.Fatalf("stored description %q, edited %q: want the original kept beside the edit", stored.Description, stored.Edited)
	}

	pub, err := Published(ctx, st, "sv")
	if err != nil {
		t.Fatal(err)
	}
	if len(pub) != 1 {
		t.Fatalf("%d cases published, want 1", len(pub))
	}
	if !strings.HasPrefix(pub[0].Description, "Deltagaren fick avslag från Försäkringskassan") {
		t.Errorf("published description %q, want the edited text", pub[0].Description)
	}
	for _, s := range originalOnly {
		if strings.Contains(pub[0].Description, s) {
			t.Errorf("published description holds %q from the original", s)
		}
	}
}
