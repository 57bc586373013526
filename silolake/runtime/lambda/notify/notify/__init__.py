"""Chat webhook forwarder of a silo's alarms: pure message shaping (:mod:`.message`)."""
