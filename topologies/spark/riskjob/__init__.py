"""The Spark side of riskctl's risk detector: pure transforms the streaming job and the tests share.

Nothing here opens a SparkSession, reads the environment or the clock on its own: the entry point
(risk_detector.py) wires sources and sinks, so every transform runs unchanged on a batch DataFrame.
"""
