package console

import (
	"net/http"
	"net/url"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// setProfileVisibility is POST /console/sellers/{id}/profile: a manager shows (public=true) or
// hides (public=false) the seller's public quality profile, through the use case the API's
// PUT /api/v1/sellers/{id}/profile calls, then is sent back to the seller's page with 303. Any
// other value of public is the 422 problem page naming the field.
func (c *Console) setProfileVisibility(w http.ResponseWriter, r *http.Request, s *signedIn) error {
	if err := r.ParseForm(); err != nil {
		return audit.Invalid([]grading.FieldError{{Field: "", Message: "the form could not be read"}})
	}
	var public bool
	switch r.PostForm.Get("public") {
	case "true":
		public = true
	case "false":
	default:
		return audit.Invalid([]grading.FieldError{{Field: "public", Message: "must be true or false"}})
	}
	id := r.PathValue("id")
	if _, err := c.svc.SetProfileVisibility(r.Context(), s.principal(), id, public); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/sellers/"+url.PathEscape(id)+"#profile", http.StatusSeeOther)
	return nil
}
