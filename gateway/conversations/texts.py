"""What the gateway itself says to a person (not the bot's answers). Vietnamese, short, honest."""
from __future__ import annotations

EMERGENCY_LINE = "Nếu bạn đang gặp nguy hiểm, hãy gọi ngay 113 (công an) hoặc 115 (cấp cứu)."

ENGINE_UNAVAILABLE = (
    "Hệ thống đang gián đoạn, chưa trả lời tự động được. Tin nhắn của bạn đã được lưu, "
    "cán bộ sẽ trả lời bạn sớm. " + EMERGENCY_LINE
)
RATE_LIMITED = (
    "Bạn đang gửi nhiều tin nhắn quá nhanh. Các tin nhắn vẫn được lưu lại; "
    "bạn chờ khoảng một phút rồi nhắn tiếp nhé."
)
# Asked once, when a conversation goes to the officers and the person's ward is not known yet.
ASK_WARD = (
    "Để chuyển đúng cán bộ phụ trách nơi bạn ở, bạn cho biết bạn đang ở xã/phường nào nhé "
    "(tên cũ hay tên mới đều được, ví dụ: phường Kinh Dinh)."
)
UNSUPPORTED_MESSAGE = "Mình chỉ đọc được tin nhắn chữ. Bạn nhắn câu hỏi bằng chữ giúp mình nhé."


def consent_notice(retention_days: int) -> str:
    return (
        "Chào bạn! Trước khi bắt đầu: hệ thống lưu tin nhắn của bạn để trả lời và để cán bộ hỗ trợ "
        "khi cần. Tin nhắn có thể có thông tin nhạy cảm (như án tích), chỉ dùng cho việc hỗ trợ "
        f"tái hòa nhập và tự xóa sau {retention_days} ngày. "
        "Muốn xóa ngay, nhắn: “xóa dữ liệu của tôi”."
    )

BACK_TO_BOT = (
    "Cán bộ đã hoàn tất phần hỗ trợ. Từ bây giờ trợ lý tự động sẽ trả lời bạn; "
    "cần gặp lại cán bộ, bạn cứ nhắn “gặp cán bộ”."
)
