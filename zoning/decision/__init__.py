"""What the planning meeting decides on, beyond the map (issue 12).

- :mod:`zoning.decision.staffing` — the fewest officer transfers that bring every
  zone's load per officer within a band of the county average (警力与警情相匹配);
- :mod:`zoning.decision.profiles` — when incidents have times: each zone's hour-of-day
  and weekday profile and peak hour (忙闲不均), station incident profiles, station
  types from clustering them, and the profile distance used as the solver's
  similarity term (警情相似).

Before/after against today's arrangement is :mod:`zoning.workflow.baseline`; the
方案说明 document is :mod:`zoning.outputs.document`.
"""
