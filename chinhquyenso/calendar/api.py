from ninja import Router

router = Router(tags=["Lịch làm việc"])
