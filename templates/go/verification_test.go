package main

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
)

func TestTheVerificationMessageHasTheShapeTheOriginalPlatformPublished(t *testing.T) {
	raw, err := json.Marshal(newVerificationMessage(verificationRequest{Email: "ana@example.com", Name: "Ana"}, "tok"))
	if err != nil {
		t.Fatal(err)
	}
	var got any
	_ = json.Unmarshal(raw, &got)
	want := map[string]any{"email": "ana@example.com", "template": "userVerification", "data": map[string]any{"name": "Ana", "token": "tok"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %s", raw)
	}
}

func TestTheVerificationMessageRoundTripsThroughTheQueue(t *testing.T) {
	message := newVerificationMessage(verificationRequest{Email: "a@b.c", Name: "A"}, newToken())
	raw, _ := json.Marshal(message)
	if got, ok := parseVerificationMessage(raw); !ok || got != message {
		t.Fatalf("got %+v, %v", got, ok)
	}
	for _, bad := range []string{"not json", `{"email":"a@b.c","template":"other","data":{}}`, `{"email":"a@b.c","template":"userVerification"}`, `{"email":5}`} {
		if _, ok := parseVerificationMessage([]byte(bad)); ok {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestTokensAreUnguessable(t *testing.T) {
	token := newToken()
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(token) || newToken() == token {
		t.Fatalf("token %q", token)
	}
}

func TestPostBodiesAcceptEmailAndName(t *testing.T) {
	got, problem := parseVerificationRequest(map[string]any{"email": "a@b.c", "name": " Ana "})
	if problem != "" || got != (verificationRequest{Email: "a@b.c", Name: "Ana"}) {
		t.Fatalf("got %+v, %q", got, problem)
	}
}

func TestPostBodiesAreRefusedWithAReason(t *testing.T) {
	for _, c := range []struct {
		body any
		want string
	}{
		{nil, "expected a JSON object {email, name}"},
		{[]any{}, "expected a JSON object {email, name}"},
		{map[string]any{"email": "nope", "name": "A"}, "'email' must be an email address"},
		{map[string]any{"email": "a@b.c", "name": ""}, "'name' must be a non-empty string"},
	} {
		if _, problem := parseVerificationRequest(c.body); problem != c.want {
			t.Errorf("%v: got %q, want %q", c.body, problem, c.want)
		}
	}
}
