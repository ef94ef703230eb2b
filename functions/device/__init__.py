"""The Greengrass component that runs on each device (P077-P081): offline anomaly detection on sensor data,
telemetry buffered while disconnected, and signed over-the-air model updates.

Runs as `ggc_user` under the Greengrass nucleus, never as root; only the standard library and
`cryptography` (installed on the device by the component's Install step) are needed.
"""
