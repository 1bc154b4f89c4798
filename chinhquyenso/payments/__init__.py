"""Payments: invoices for fees, charges and postage; online (VNPAY, VietQR) and desk (cash, POS) payments;
refunds; gap-free electronic receipts (biên lai điện tử); bank-statement matching and reconciliation.

The app charges *subjects* it does not own (a dossier, later anything else) by reference
(``subject_type`` + ``subject_id``) and tells their owners what happened through domain events
(``payments.invoice_paid``, ``payments.invoice_refunded``): a payment never changes a dossier directly.
"""
