"""Landing of dropzone files into raw: pure rules (:mod:`landing.rules`) and the S3 moves (:mod:`landing.mover`)."""
