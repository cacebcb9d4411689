package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/refurbqa/refurbqa/grading"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const kpiHeader = "seller_id,month,orders,shipped_late,valid_tracking,cancelled_before_shipment," +
	"technical_returns_30d,defective_orders,messages_received,messages_answered_within_1bd," +
	"warranty_claims,warranty_remedied_within_5bd,warranty_months"

// kpiRow is the CSV line of validKPIMonth for a seller and month, in kpiHeader order.
func kpiRow(seller, month string) string {
	return seller + "," + month + ",120,3,118,2,2,1,40,38,4,4,12"
}

func kpiWant(seller, month string) KPIMonth {
	k := validKPIMonth()
	k.SellerID, k.Month = seller, month
	return k
}

// readRows reads every row of a KPI CSV, collecting its errors.
type readResult struct {
	rows []KPIMonth
	errs [][]grading.FieldError
	err  error // the error that stopped reading, io.EOF at a normal end
}

func readKPI(t *testing.T, input string) readResult {
	t.Helper()
	r, err := NewKPIReader(strings.NewReader(input))
	require.NoError(t, err)
	var res readResult
	for {
		k, errs, err := r.Next()
		if err != nil {
			res.err = err
			return res
		}
		res.rows = append(res.rows, k)
		res.errs = append(res.errs, errs)
	}
}

func TestKPIReaderValid(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"plain", kpiHeader + "\n" + kpiRow("sl_a", "2026-09") + "\n" + kpiRow("sl_a", "2026-10") + "\n"},
		{"no final newline", kpiHeader + "\n" + kpiRow("sl_a", "2026-09") + "\n" + kpiRow("sl_a", "2026-10")},
		{"CRLF", kpiHeader + "\r\n" + kpiRow("sl_a", "2026-09") + "\r\n" + kpiRow("sl_a", "2026-10") + "\r\n"},
		{"byte order mark", "\uFEFF" + kpiHeader + "\n" + kpiRow("sl_a", "2026-09") + "\n" + kpiRow("sl_a", "2026-10") + "\n"},
		{"quoted header and cells", `"seller_id","month",orders,shipped_late,valid_tracking,cancelled_before_shipment,` +
			`technical_returns_30d,defective_orders,messages_received,messages_answered_within_1bd,` +
			`warranty_claims,warranty_remedied_within_5bd,warranty_months` + "\n" +
			`"sl_a","2026-09","120",3,118,2,2,1,40,38,4,4,12` + "\n" + kpiRow("sl_a", "2026-10") + "\n"},
		{"spaces around names and cells", strings.ReplaceAll(kpiHeader, ",", " , ") + "\n" +
			strings.ReplaceAll(kpiRow("sl_a", "2026-09"), ",", " ,\t") + "\n" + kpiRow("sl_a", "2026-10") + "\n"},
		{"columns reordered", "warranty_months,month,defective_orders,orders,seller_id,shipped_late,valid_tracking," +
			"messages_answered_within_1bd,cancelled_before_shipment,technical_returns_30d,messages_received," +
			"warranty_remedied_within_5bd,warranty_claims\n" +
			"12,2026-09,1,120,sl_a,3,118,38,2,2,40,4,4\n" +
			"12,2026-10,1,120,sl_a,3,118,38,2,2,40,4,4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readKPI(t, tt.input)
			assert.ErrorIs(t, res.err, io.EOF)
			assert.Equal(t, []KPIMonth{kpiWant("sl_a", "2026-09"), kpiWant("sl_a", "2026-10")}, res.rows)
			assert.Equal(t, [][]grading.FieldError{nil, nil}, res.errs)
		})
	}

	t.Run("header only", func(t *testing.T) {
		res := readKPI(t, kpiHeader+"\n")
		assert.ErrorIs(t, res.err, io.EOF)
		assert.Empty(t, res.rows)
	})

	t.Run("EOF again after the end", func(t *testing.T) {
		r, err := NewKPIReader(strings.NewReader(kpiHeader + "\n"))
		require.NoError(t, err)
		for range 3 {
			_, _, err := r.Next()
			assert.ErrorIs(t, err, io.EOF)
		}
	})
}

func TestKPIReaderHeader(t *testing.T) {
	all := strings.Split(kpiHeader, ",")
	without := func(name string) string {
		var out []string
		for _, n := range all {
			if n != name {
				out = append(out, n)
			}
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name  string
		input string
		want  []grading.FieldError
	}{
		{"unknown column", kpiHeader + ",notes\n", []grading.FieldError{{Field: "line 1: notes", Message: "unknown column"}}},
		{"missing column", without("defective_orders") + "\n",
			[]grading.FieldError{{Field: "line 1: defective_orders", Message: "missing column"}}},
		{"missing seller_id", without("seller_id") + "\n",
			[]grading.FieldError{{Field: "line 1: seller_id", Message: "missing column"}}},
		{"duplicate column", kpiHeader + ",orders\n", []grading.FieldError{{Field: "line 1: orders", Message: "duplicate column"}}},
		{"names are case-sensitive", strings.Replace(kpiHeader, "orders", "Orders", 1) + "\n", []grading.FieldError{
			{Field: "line 1: Orders", Message: "unknown column"},
			{Field: "line 1: orders", Message: "missing column"},
		}},
		{"empty column name", kpiHeader + ",\n", []grading.FieldError{{Field: "line 1: column 14", Message: "column name is empty"}}},
		{"several problems, sorted", "month,seller_id,seller_id,extra," + strings.Join(all[2:12], ",") + "\n", []grading.FieldError{
			{Field: "line 1: extra", Message: "unknown column"},
			{Field: "line 1: seller_id", Message: "duplicate column"},
			{Field: "line 1: warranty_months", Message: "missing column"},
		}},
		{"header on a later line after blank lines", "\n\n" + kpiHeader + ",x\n", []grading.FieldError{
			{Field: "line 3: x", Message: "unknown column"},
		}},
		{"malformed header", `seller_id,"month` + "\n", []grading.FieldError{
			{Field: "line 1", Message: "malformed CSV header: extraneous or missing \" in quoted-field"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewKPIReader(strings.NewReader(tt.input))
			assert.Nil(t, r)
			require.ErrorIs(t, err, ErrInvalid)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.want, ve.Errors)
		})
	}

	t.Run("empty input misses every column", func(t *testing.T) {
		for _, input := range []string{"", "\uFEFF", "\n\n"} {
			_, err := NewKPIReader(strings.NewReader(input))
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Len(t, ve.Errors, 13)
			for _, e := range ve.Errors {
				assert.Equal(t, "missing column", e.Message)
				assert.True(t, strings.HasPrefix(e.Field, "line 1: "), e.Field)
			}
		}
	})

	t.Run("read failure", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := NewKPIReader(io.MultiReader(strings.NewReader("seller_id,mo"), &failingReader{err: boom}))
		assert.ErrorIs(t, err, boom)
		assert.NotErrorIs(t, err, ErrInvalid)
	})
}

type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestKPIReaderRows(t *testing.T) {
	t.Run("a bad row in the middle", func(t *testing.T) {
		input := kpiHeader + "\n" +
			kpiRow("sl_a", "2026-08") + "\n" +
			"sl_a,2026-09,abc,3,118,2,2,1,40,38,4,4,12\n" +
			kpiRow("sl_a", "2026-10") + "\n"
		res := readKPI(t, input)
		assert.ErrorIs(t, res.err, io.EOF)
		require.Len(t, res.rows, 3)
		assert.Nil(t, res.errs[0])
		// The unreadable orders cell is one error: no cascade onto the parts of orders.
		assert.Equal(t, []grading.FieldError{{Field: "line 3: orders", Message: "must be an integer from 0 to 1000000000"}}, res.errs[1])
		assert.Nil(t, res.errs[2])
		assert.Equal(t, kpiWant("sl_a", "2026-10"), res.rows[2])
	})

	tests := []struct {
		name string
		row  string
		want []grading.FieldError
	}{
		{"empty seller", ",2026-09,120,3,118,2,2,1,40,38,4,4,12", []grading.FieldError{{Field: "line 2: seller_id", Message: "is required"}}},
		{"bad month", "sl_a,2026-9,120,3,118,2,2,1,40,38,4,4,12",
			[]grading.FieldError{{Field: "line 2: month", Message: "must be a month written YYYY-MM, from 2000-01 to 2100-12"}}},
		{"empty cell", "sl_a,2026-09,120,3,,2,2,1,40,38,4,4,12", []grading.FieldError{{Field: "line 2: valid_tracking", Message: "is required"}}},
		{"decimal", "sl_a,2026-09,120,3,118,2,2,1,40,38,4,4,12.5",
			[]grading.FieldError{{Field: "line 2: warranty_months", Message: "must be an integer from 0 to 120"}}},
		{"overflow", "sl_a,2026-09,99999999999999999999999,3,118,2,2,1,40,38,4,4,12",
			[]grading.FieldError{{Field: "line 2: orders", Message: "must be an integer from 0 to 1000000000"}}},
		{"negative", "sl_a,2026-09,120,-3,118,2,2,1,40,38,4,4,12",
			[]grading.FieldError{{Field: "line 2: shipped_late", Message: "must be an integer from 0 to 1000000000"}}},
		{"part above whole", "sl_a,2026-09,120,3,118,2,2,1,40,41,4,4,12",
			[]grading.FieldError{{Field: "line 2: messages_answered_within_1bd", Message: "must not exceed messages_received (40)"}}},
		{"too few fields", "sl_a,2026-09,120,3", []grading.FieldError{{Field: "line 2", Message: "has 4 fields, want 13"}}},
		{"too many fields", kpiRow("sl_a", "2026-09") + ",1", []grading.FieldError{{Field: "line 2", Message: "has 14 fields, want 13"}}},
		{"bare quote", `sl_a,2026"09,120,3,118,2,2,1,40,38,4,4,12`,
			[]grading.FieldError{{Field: "line 2", Message: `malformed CSV: bare " in non-quoted-field`}}},
		{"several errors, sorted", "sl_a,x,1,2,x,2,2,2,40,38,4,4,200", []grading.FieldError{
			{Field: "line 2: cancelled_before_shipment", Message: "must not exceed orders (1)"},
			{Field: "line 2: defective_orders", Message: "must not exceed orders (1)"},
			{Field: "line 2: month", Message: "must be a month written YYYY-MM, from 2000-01 to 2100-12"},
			{Field: "line 2: shipped_late", Message: "must not exceed orders (1)"},
			{Field: "line 2: technical_returns_30d", Message: "must not exceed orders (1)"},
			{Field: "line 2: valid_tracking", Message: "must be an integer from 0 to 1000000000"},
			{Field: "line 2: warranty_months", Message: "must be an integer from 0 to 120"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readKPI(t, kpiHeader+"\n"+tt.row+"\n"+kpiRow("sl_b", "2026-10")+"\n")
			assert.ErrorIs(t, res.err, io.EOF)
			require.Len(t, res.rows, 2, "reading goes on after a bad row")
			assert.Equal(t, tt.want, res.errs[0])
			assert.Nil(t, res.errs[1])
			assert.Equal(t, kpiWant("sl_b", "2026-10"), res.rows[1])
		})
	}

	t.Run("line numbers count physical lines", func(t *testing.T) {
		input := kpiHeader + "\n\n" + // line 2 is blank
			`"sl_a` + "\n" + `b",2026-09,120,3,118,2,2,1,40,38,4,4,12` + "\n" + // lines 3-4, one record
			"sl_c,2026-09,x,3,118,2,2,1,40,38,4,4,12\n" // line 5
		res := readKPI(t, input)
		require.Len(t, res.rows, 2)
		assert.Equal(t, []grading.FieldError{{Field: "line 3: seller_id", Message: "must not contain control characters"}}, res.errs[0])
		assert.Equal(t, "line 5: orders", res.errs[1][0].Field)
	})

	t.Run("Line follows the rows", func(t *testing.T) {
		r, err := NewKPIReader(strings.NewReader(kpiHeader + "\n\n" + kpiRow("sl_a", "2026-09") + "\nbad\n" + kpiRow("sl_a", "2026-10") + "\n"))
		require.NoError(t, err)
		assert.Equal(t, 0, r.Line(), "before the first row")
		var lines []int
		for {
			_, _, err := r.Next()
			if err != nil {
				require.ErrorIs(t, err, io.EOF)
				break
			}
			lines = append(lines, r.Line())
		}
		assert.Equal(t, []int{3, 4, 5}, lines)
	})

	t.Run("a repeated seller and month", func(t *testing.T) {
		res := readKPI(t, kpiHeader+"\n"+kpiRow("sl_a", "2026-09")+"\n"+kpiRow("sl_b", "2026-09")+"\n"+kpiRow("sl_a", "2026-09")+"\n")
		require.Len(t, res.errs, 3)
		assert.Nil(t, res.errs[0])
		assert.Nil(t, res.errs[1])
		assert.Equal(t, []grading.FieldError{{Field: "line 4: month", Message: "repeats seller_id and month of line 2"}}, res.errs[2])
	})

	t.Run("read failure stops and sticks", func(t *testing.T) {
		boom := errors.New("boom")
		r, err := NewKPIReader(io.MultiReader(strings.NewReader(kpiHeader+"\n"+kpiRow("sl_a", "2026-09")+"\n"), &failingReader{err: boom}))
		require.NoError(t, err)
		_, errs, err := r.Next()
		require.NoError(t, err)
		require.Nil(t, errs)
		for range 2 {
			_, _, err = r.Next()
			assert.ErrorIs(t, err, boom)
		}
	})
}

// kpiFile builds a valid CSV of n rows (distinct seller and month pairs).
func kpiFile(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 48)
	b.WriteString(kpiHeader + "\n")
	for i := range n {
		j := i % 100 // 100 distinct months per seller
		fmt.Fprintf(&b, "sl_%d,%04d-%02d,120,3,118,2,2,1,40,38,4,4,12\n", i/100, 2000+j/12, j%12+1)
	}
	return b.Bytes()
}

func TestKPIReaderRowLimit(t *testing.T) {
	t.Run("exactly the limit", func(t *testing.T) {
		r, err := NewKPIReader(bytes.NewReader(kpiFile(MaxKPIRows)))
		require.NoError(t, err)
		n := 0
		for {
			_, errs, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.Nil(t, errs, "row %d", n+2)
			n++
		}
		assert.Equal(t, MaxKPIRows, n)
	})

	t.Run("one row more", func(t *testing.T) {
		r, err := NewKPIReader(bytes.NewReader(kpiFile(MaxKPIRows + 1)))
		require.NoError(t, err)
		n := 0
		for {
			_, _, err = r.Next()
			if err != nil {
				break
			}
			n++
		}
		assert.Equal(t, MaxKPIRows, n)
		require.ErrorIs(t, err, ErrInvalid)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, []grading.FieldError{{
			Field: "line " + strconv.Itoa(MaxKPIRows+2), Message: "too many rows: at most 100000 data rows per import",
		}}, ve.Errors)
		_, _, again := r.Next()
		assert.Equal(t, err, again, "the error sticks")
	})
}

func BenchmarkKPIReader(b *testing.B) {
	data := kpiFile(10_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewKPIReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, _, err := r.Next(); err != nil {
				break
			}
		}
	}
}

func FuzzKPIReader(f *testing.F) {
	f.Add([]byte(kpiHeader + "\n" + kpiRow("sl_a", "2026-09") + "\n"))
	f.Add([]byte("\uFEFF" + kpiHeader + "\r\n" + "sl_a,2026-13,1,2,3,4,5,6,7,8,9,10,11\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewKPIReader(bytes.NewReader(data))
		if err != nil {
			// A bytes.Reader never fails: the only refusal is an invalid header.
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		for range MaxKPIRows + 2 {
			k, errs, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				require.ErrorIs(t, err, ErrInvalid)
				return
			}
			for _, e := range errs {
				require.True(t, strings.HasPrefix(e.Field, "line "), "field %q", e.Field)
				require.NotEmpty(t, e.Message)
			}
			if len(errs) == 0 {
				require.Empty(t, ValidateKPIMonth(k), "row %+v", k)
				require.NotEmpty(t, strings.TrimSpace(k.SellerID))
			}
		}
		t.Fatal("Next never ended")
	})
}
