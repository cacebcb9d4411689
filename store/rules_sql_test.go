package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
)

// TestRuleSQLCoversEveryRule ties the store's SQL to the domain's rules by id: every rule of
// audit.MetricRules has a translation, and every translation is of a rule. What each
// translation counts is held to its rule by TestFactsAgreeWithDomainRules.
func TestRuleSQLCoversEveryRule(t *testing.T) {
	ids := audit.MetricRules(audit.Period{}, time.Time{}).IDs()
	translations := ruleSQL()
	for _, id := range ids {
		assert.NotEmpty(t, translations[id], "rule %s has no SQL translation", id)
	}
	for id := range translations {
		assert.Contains(t, ids, id, "SQL for %s, which is no rule of audit.MetricRules", id)
	}
	assert.Len(t, translations, len(ids))

	fc, err := factConditions()
	require.NoError(t, err)
	rules := audit.MetricRules(audit.Period{}, time.Time{})
	assert.Len(t, fc.units, len(rules.Units))
	assert.Len(t, fc.orders, len(rules.Orders)-len(fc.counts))
	assert.NotEmpty(t, fc.counts)
	assert.Equal(t, notIncomplete, translations[audit.RuleUnit], "the bench-test filter is the unit rule")
}
