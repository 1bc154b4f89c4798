"""Postal public service (bưu chính công ích): collecting paper dossiers from citizens (pickup) and
returning results to them (return), postage from a versioned zone/weight table, and tracking updates
from the postal operator by a signed webhook.

Like payments, a shipment refers to its subject (a dossier) by ``subject_type``/``subject_id`` and
tells the owner what happened by events (``delivery.shipment_delivered`` makes the dossier app mark
the result returned).
"""
