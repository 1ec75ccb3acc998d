// The verification flow's message, as the original platform's registration published it to the mail
// service: {"email", "template": "userVerification", "data": {"name", "token"}}.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
)

var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+$`)

type verificationRequest struct {
	Email string
	Name  string
}

type verificationData struct {
	Name  string `json:"name"`
	Token string `json:"token"`
}

type verificationMessage struct {
	Email    string           `json:"email"`
	Template string           `json:"template"`
	Data     verificationData `json:"data"`
}

// parseVerificationRequest validates a POST /verifications body {email, name}; the error is the
// message of a 400.
func parseVerificationRequest(body any) (verificationRequest, string) {
	object, ok := body.(map[string]any)
	if !ok {
		return verificationRequest{}, "expected a JSON object {email, name}"
	}
	email, ok := object["email"].(string)
	if !ok || !emailPattern.MatchString(email) {
		return verificationRequest{}, "'email' must be an email address"
	}
	name, ok := object["name"].(string)
	if !ok || strings.TrimSpace(name) == "" {
		return verificationRequest{}, "'name' must be a non-empty string"
	}
	return verificationRequest{Email: email, Name: strings.TrimSpace(name)}, ""
}

func newToken() string {
	token := make([]byte, 16)
	_, _ = rand.Read(token) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(token)
}

func newVerificationMessage(request verificationRequest, token string) verificationMessage {
	return verificationMessage{
		Email:    request.Email,
		Template: "userVerification",
		Data:     verificationData{Name: request.Name, Token: token},
	}
}

// parseVerificationMessage reads a consumed message back; anything else is refused (and dropped by
// the consumer).
func parseVerificationMessage(body []byte) (verificationMessage, bool) {
	var value struct {
		Email    *string `json:"email"`
		Template string  `json:"template"`
		Data     *struct {
			Name  *string `json:"name"`
			Token *string `json:"token"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &value) != nil || value.Email == nil || value.Template != "userVerification" ||
		value.Data == nil || value.Data.Name == nil || value.Data.Token == nil {
		return verificationMessage{}, false
	}
	return verificationMessage{
		Email:    *value.Email,
		Template: "userVerification",
		Data:     verificationData{Name: *value.Data.Name, Token: *value.Data.Token},
	}, true
}
