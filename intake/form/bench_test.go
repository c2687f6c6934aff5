package form

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// denseText returns about size bytes of Swedish text with a valid
// personnummer or samordningsnummer every few words, in mixed spellings.
func denseText(size int) (string, int) {
	rng := rand.New(rand.NewPCG(1, 3))
	sp := spellings()
	var b strings.Builder
	b.Grow(size + 256)
	n := 0
	for b.Len() < size {
		p := randomPNR(rng, rng.IntN(4) == 0, false)
		century := ""
		if rng.IntN(3) == 0 {
			century = p.c
		}
		s := sp[rng.IntN(len(sp))]
		fmt.Fprintf(&b, sentences[rng.IntN(len(sentences))], s.write(century, p.yy, p.mm, p.dd, p.last))
		b.WriteByte(' ')
		n++
	}
	return b.String(), n
}

// heapSampler records the largest live heap (bytes in heap objects) seen
// while it runs.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			h.peak = max(h.peak, s[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) done() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak
}

// BenchmarkMaskPII33MB masks a 33 MB text dense with numbers. Besides
// ns/op and MB/s it reports the numbers masked per op, the bytes
// allocated per op (alloc-MB/op) and the peak of the live heap above the
// input while masking (peak-heap-MB, sampled; the previous result is
// collected before each call).
func BenchmarkMaskPII33MB(b *testing.B) {
	text, n := denseText(33 << 20)
	b.SetBytes(int64(len(text)))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	base := before.HeapAlloc
	h := sampleHeap()
	b.ResetTimer()
	var out string
	for b.Loop() {
		// The last result is garbage: collect it outside the timer, so
		// that the peak is what one call holds.
		b.StopTimer()
		out = ""
		runtime.GC()
		b.StartTimer()
		out = MaskPII(text)
	}
	b.StopTimer()
	peak := h.done()
	runtime.ReadMemStats(&after)
	if masked := strings.Count(out, Mask10); masked != n { // Mask12 holds Mask10
		b.Fatalf("masked %d numbers, wrote %d", masked, n)
	}
	b.ReportMetric(float64(n), "numbers/op")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB/op")
	if peak > base {
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
	}
	b.ReportMetric(float64(len(text))/(1<<20), "input-MB")
}
