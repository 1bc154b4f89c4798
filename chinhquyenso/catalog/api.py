from ninja import Router

router = Router(tags=["Danh mục thủ tục hành chính"])
