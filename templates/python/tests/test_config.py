import unittest

from config import ConfigError, local_path, parse_config

OK = {"SERVICE_NAME": "orders", "PORT": "8080", "ROUTE_PATH": "/orders"}


class ParseConfigTest(unittest.TestCase):
    def test_reads_the_environment(self):
        config = parse_config(
            {"SERVICE_NAME": "orders", "PORT": "9000", "ROUTE_PATH": "/shop/orders/", "KONG_ADMIN_URL": "http://k:8001",
             "CONSUL_URL": "http://c:8500", "RABBITMQ_URL": "amqp://u:p@r:5672"},
            "abc123",
        )
        self.assertEqual(config.service_name, "orders")
        self.assertEqual(config.instance_id, "orders-abc123")
        self.assertEqual(config.port, 9000)
        self.assertEqual(config.route_path, "/shop/orders")
        self.assertEqual(config.kong_admin_url, "http://k:8001")
        self.assertEqual(config.consul_url, "http://c:8500")
        self.assertEqual(config.rabbitmq_url, "amqp://u:p@r:5672")
        self.assertEqual(config.verification_queue, "orders-verifications")
        self.assertTrue(config.register)

    def test_defaults_to_the_stack_service_names(self):
        config = parse_config(OK, "h")
        self.assertEqual(config.kong_admin_url, "http://kong:8001")
        self.assertEqual(config.consul_url, "http://consul:8500")
        self.assertEqual(config.rabbitmq_url, "amqp://guest:guest@rabbitmq:5672")

    def test_can_run_without_registering(self):
        self.assertFalse(parse_config({**OK, "REGISTER": "false"}, "h").register)

    def test_refuses_bad_values_naming_the_variable(self):
        for key, value in [("PORT", "70000"), ("PORT", "x"), ("ROUTE_PATH", "a"), ("SERVICE_NAME", "Bad_Name"),
                           ("REGISTER", "maybe")]:
            with self.subTest(key=key, value=value):
                with self.assertRaisesRegex(ConfigError, key):
                    parse_config({**OK, key: value}, "h")


class LocalPathTest(unittest.TestCase):
    def test_drops_the_route_prefix_when_present(self):
        self.assertEqual(local_path("/orders", "/orders"), "/")
        self.assertEqual(local_path("/orders", "/orders/verifications"), "/verifications")
        self.assertEqual(local_path("/orders", "/verifications"), "/verifications")
        self.assertEqual(local_path("/orders", "/ordersx"), "/ordersx")
        self.assertEqual(local_path("/", "/healthz"), "/healthz")


if __name__ == "__main__":
    unittest.main()
