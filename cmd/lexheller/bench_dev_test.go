package main

import (
	"context"
	"fmt"
	"io"
	"lexheller/intake/casework"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
	"lexheller/notify/report"
	"lexheller/templates"
)

// BenchmarkInProcess measures ingesting and sending against the in-process
// dev mail system, where the mail servers cost next to nothing: it shows
// the daemon's own share of the work.
func BenchmarkInProcess(b *testing.B) {
	e := newDevEnv(b, devmail.Options{})
	const n = 2000
	for i := 0; i < n; i++ {
		from := e.Addr(fmt.Sprintf("r%04d", i))
		if err := e.Dev.Deliver(e.Shared, wire(blanket(from, e.Shared, fmt.Sprintf("dev-%d@x", i), "Händelse."))); err != nil {
			b.Fatal(err)
		}
	}
	cfg := e.Config("")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := newApp(ctx, cfg, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer a.close()
	b.ResetTimer()
	ingest := timeIngest(b, ctx, a, n)
	queued, sending := timeSending(b, ctx, a)
	b.ReportMetric(n/ingest.Seconds(), "ingest_msgs/s")
	b.ReportMetric(float64(queued)/sending.Seconds(), "send_mails/s")
}

// BenchmarkInProcessPatterns50k measures the working group's tools over a
// store of 50,000 cases, all in the report's period: the report read from
// the store and rendered as text and as XLSX (target: under 2 s), the
// similar-case index built at start, and one lookup (target: under 50 ms).
func BenchmarkInProcessPatterns50k(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "50k.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	words := strings.Fields(`sjukpenning arbetsförmåga aktivitetsstöd utbetalning försörjningsstöd inskrivning tolk
		läkarintyg psykiatri vårdcentral rehabilitering avstämning handlingsplan sjukskrivning ersättning beslut överklagan
		kommunen regionen program insats praktik lönebidrag anställning skuld bostad hyra barn familj språk utbildning`)
	parties := [][]string{{"FK"}, {"AF"}, {"FK", "AF"}, {"AF", "Kommun"}, {"FK", "Region"}}
	r := rand.New(rand.NewPCG(7, 7))
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, templates.Stockholm)
	err = st.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 50000; i++ {
			var d strings.Builder
			for j := 0; j < 30; j++ {
				d.WriteString(words[r.IntN(len(words))] + " ")
			}
			at := from.Add(time.Duration(r.IntN(365*24)) * time.Hour)
			c := &store.Case{ID: fmt.Sprintf("LH-2025-%05d", i+1), Year: 2025, Seq: i + 1, Forbund: "goteborg",
				Status: store.StatusClosed, Level: "organisering", Parties: parties[i%len(parties)], Themes: []string{words[i%7]},
				Description: d.String(), CreatedAt: at, UpdatedAt: at}
			if err := tx.InsertCase(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	o := report.Options{From: from, To: from.AddDate(1, 0, 0), Lang: "sv"}
	b.ResetTimer()
	t0 := time.Now()
	rep, err := report.FromStore(ctx, st, o, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := rep.Text(io.Discard); err != nil {
		b.Fatal(err)
	}
	text := time.Since(t0)
	t0 = time.Now()
	rep, _ = report.FromStore(ctx, st, o, time.Now())
	if err := rep.XLSX(io.Discard); err != nil {
		b.Fatal(err)
	}
	xlsx := time.Since(t0)
	t0 = time.Now()
	idx, err := casework.SimilarIndex(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	index := time.Since(t0)
	t0 = time.Now()
	const lookups = 20
	for i := 0; i < lookups; i++ {
		idx.Similar(fmt.Sprintf("sjukpenning beslut tolk avstämning %d", i), 3)
	}
	lookup := time.Since(t0) / lookups
	b.StopTimer()
	if rep.Total != 50000 {
		b.Fatalf("report over %d cases, want 50000", rep.Total)
	}
	fmt.Printf(`
patterns over 50,000 cases (store on disk):
  report read from the store and written as text:  %v
  report read from the store and written as XLSX:  %v
  similar-case index built from the store:          %v
  one similar-case lookup:                          %v
`, text.Round(time.Millisecond), xlsx.Round(time.Millisecond), index.Round(time.Millisecond), lookup.Round(10*time.Microsecond))
	b.ReportMetric(text.Seconds(), "report_text_s")
	b.ReportMetric(xlsx.Seconds(), "report_xlsx_s")
	b.ReportMetric(float64(lookup.Microseconds())/1000, "similar_lookup_ms")
}
