import json
import re
import unittest

from verification import new_token, parse_verification_message, parse_verification_request, verification_message


class VerificationMessageTest(unittest.TestCase):
    def test_has_the_shape_the_original_platform_published(self):
        message = verification_message({"email": "ana@example.com", "name": "Ana"}, "tok")
        self.assertEqual(
            json.loads(json.dumps(message)),
            {"email": "ana@example.com", "template": "userVerification", "data": {"name": "Ana", "token": "tok"}},
        )

    def test_round_trips_through_the_queue(self):
        message = verification_message({"email": "a@b.c", "name": "A"}, new_token())
        self.assertEqual(parse_verification_message(json.dumps(message)), message)
        self.assertIsNone(parse_verification_message("not json"))
        self.assertIsNone(parse_verification_message(json.dumps({"email": "a@b.c", "template": "other", "data": {}})))

    def test_uses_unguessable_tokens(self):
        token = new_token()
        self.assertRegex(token, re.compile(r"^[0-9a-f]{32}$"))
        self.assertNotEqual(new_token(), token)


class RequestBodyTest(unittest.TestCase):
    def test_accepts_email_and_name(self):
        self.assertEqual(parse_verification_request({"email": "a@b.c", "name": " Ana "}), {"email": "a@b.c", "name": "Ana"})

    def test_refuses_anything_else_with_a_reason(self):
        self.assertIsInstance(parse_verification_request(None), str)
        self.assertIsInstance(parse_verification_request([]), str)
        self.assertEqual(parse_verification_request({"email": "nope", "name": "A"}), "'email' must be an email address")
        self.assertEqual(parse_verification_request({"email": "a@b.c", "name": ""}), "'name' must be a non-empty string")


if __name__ == "__main__":
    unittest.main()
