package audit

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScorecardVisibility(t *testing.T) {
	seller := Principal{KeyID: "k", Role: RoleSeller, SellerID: "s1"}
	tests := []struct {
		name   string
		p      Principal
		seller string
		status ScorecardStatus
		want   bool
	}{
		{"seller, own approved", seller, "s1", Approved, true},
		{"seller, own draft", seller, "s1", Draft, false},
		{"seller, own superseded", seller, "s1", Superseded, false},
		{"seller, other's approved", seller, "s2", Approved, false},
		{"manager, any draft", Principal{Role: RoleManager}, "s2", Draft, true},
		{"admin, superseded", Principal{Role: RoleAdmin}, "s2", Superseded, true},
		{"technician, draft", Principal{Role: RoleTechnician}, "s2", Draft, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p.SeesScorecard(tt.seller, tt.status))
			err := tt.p.ScorecardVisible(Scorecard{ID: "sc", SellerID: tt.seller, Status: tt.status})
			assert.Equal(t, !tt.want, errors.Is(err, ErrNotFound), "%v", err)
		})
	}
}

func TestOwnSeller(t *testing.T) {
	seller := Principal{Role: RoleSeller, SellerID: "s1"}
	assert.NoError(t, seller.OwnSeller("s1", "seller s1"))
	assert.ErrorIs(t, seller.OwnSeller("s2", "seller s2"), ErrNotFound)
	assert.NoError(t, Principal{Role: RoleManager}.OwnSeller("s2", "seller s2"))
}
