"""Measuring instruments: the standard SumMe/TVSum protocol and realbench on real footage."""
