package report

import (
	"context"
	"time"

	"lexheller/intake/store"
)

// FromStore builds the report from every case and forward in st.
func FromStore(ctx context.Context, st *store.Store, o Options, now time.Time) (*Report, error) {
	cases, err := st.Cases(ctx, store.CaseFilter{})
	if err != nil {
		return nil, err
	}
	fws, err := st.AllForwards(ctx)
	if err != nil {
		return nil, err
	}
	return Build(cases, fws, o, now), nil
}
