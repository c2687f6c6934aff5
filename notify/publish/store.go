package publish

import (
	"context"

	"lexheller/intake/store"
)

// Published reads the cases of st that may be published (Eligible),
// in their published form in lang.
func Published(ctx context.Context, st *store.Store, lang string) ([]Case, error) {
	cases, err := st.Cases(ctx, store.CaseFilter{})
	if err != nil {
		return nil, err
	}
	var pub []Case
	for _, c := range cases {
		if !c.PublishOK || !c.Publish {
			continue // no need to read its forwards
		}
		fws, err := st.Forwards(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if Eligible(c, fws) {
			pub = append(pub, FromStore(c, fws, lang))
		}
	}
	return pub, nil
}
