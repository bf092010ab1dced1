package sink

import (
	"encoding/json"
	"fmt"
	"strings"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
	"github.com/bounced/bounced/internal/server"
)

// CampaignHeader is the header listmonk puts on every campaign message,
// holding the campaign's UUID; bounced reads it from the returned
// original's headers.
const CampaignHeader = "X-Listmonk-Campaign"

// ListmonkSource is the "source" listmonk records for bounces from bounced.
const ListmonkSource = "bounced"

// listmonkBounce is the body of listmonk's generic bounce webhook,
// POST /webhooks/bounce (https://listmonk.app/docs/bounces/): email,
// campaign_uuid, source, type (hard, soft or complaint) and free meta.
type listmonkBounce struct {
	Email        string         `json:"email"`
	CampaignUUID string         `json:"campaign_uuid,omitempty"`
	Source       string         `json:"source"`
	Type         string         `json:"type"`
	Meta         map[string]any `json:"meta"`
}

// EncodeListmonk makes one listmonk bounce body per failed recipient of a
// bounce (type hard or soft by the verdict) and per recipient of a
// feedback report (type complaint). Delays, delivery reports,
// auto-replies and per-message errors make none: listmonk counts every
// bounce it receives toward blocklisting, and a delay is not one yet.
func EncodeListmonk(v *pb.ParseResponse) ([][]byte, error) {
	if v.GetError() != nil {
		return nil, nil
	}
	campaign := ""
	for _, h := range v.GetOriginal().GetHeaders() {
		if strings.EqualFold(h.GetName(), CampaignHeader) {
			campaign = strings.TrimSpace(h.GetValue())
			break
		}
	}
	var out [][]byte
	for _, r := range v.GetRecipients() {
		typ := ""
		switch {
		case v.GetKind() == pb.Kind_KIND_FEEDBACK_REPORT:
			typ = "complaint"
		case r.GetAction() != pb.Action_ACTION_FAILED:
			continue
		case r.GetHardBounce():
			typ = "hard"
		default:
			typ = "soft"
		}
		if r.GetRecipient() == "" {
			continue
		}
		b, err := json.Marshal(listmonkBounce{
			Email:        r.GetRecipient(),
			CampaignUUID: campaign,
			Source:       ListmonkSource,
			Type:         typ,
			Meta: map[string]any{
				"source":      v.GetSource(),
				"reason":      server.ReasonName(r.GetReason()),
				"side":        strings.TrimPrefix(r.GetSide().String(), "SIDE_"),
				"status":      r.GetStatus(),
				"reply_code":  r.GetReplyCode(),
				"diagnostic":  r.GetDiagnosticCode(),
				"remote_mta":  r.GetRemoteMta(),
				"message_id":  v.GetOriginal().GetMessageId(),
				"explanation": headline(r),
			},
		})
		if err != nil {
			return nil, fmt.Errorf("sink: listmonk: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

func headline(r *pb.Recipient) string {
	if e := r.GetExplanations(); len(e) > 0 {
		return e[0].GetHeadline()
	}
	return ""
}
