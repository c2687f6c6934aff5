package main

import (
	"context"
	"fmt"
	"testing"

	"lexheller/cmd/lexheller/devmail"
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
