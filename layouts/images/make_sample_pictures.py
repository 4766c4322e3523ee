"""Draw the sample editions' pictures and advertisements (flat shapes, greyscale) with Pillow.

    python layouts/images/make_sample_pictures.py

Each picture is drawn at the shape of its region in layouts/editions/pages/ (the width of its
columns by the height above its caption, at 180 dpi) and labelled 示例图片 or 示例广告 in a
corner, so nobody takes it for a photograph; its caption in the layout says what it shows. Needs a
CJK font for the labels (Noto Sans CJK, fonts-noto-cjk); made by the project so that nothing is
downloaded, and deterministic (no randomness). Greyscale PNGs of a few tens of KB.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
DPI = 180
PT = DPI / 72

#: file → (width pt, height pt, scene, label); sizes follow the picture regions of the layouts
PICTURES: dict[str, tuple[float, float, str, str]] = {
    'ad-appliance.png': (279, 499, 'ad:家电商城', ''),
    'ad-bank.png': (279, 695, 'ad:社区银行', ''),
    'ad-books.png': (279, 667, 'ad:书店', ''),
    'ad-car.png': (999, 261, 'ad:汽车服务中心', ''),
    'ad-furniture.png': (567, 205, 'ad:家居卖场', ''),
    'ad-glasses.png': (567, 79, 'ad:眼镜店', ''),
    'ad-gym.png': (279, 779, 'ad:健身俱乐部', ''),
    'ad-insurance.png': (999, 751, 'ad:健康体检中心', ''),
    'ad-paper.png': (279, 835, 'ad:本报征订', ''),
    'ad-phone.png': (279, 331, 'ad:通信营业厅', ''),
    'ad-school.png': (999, 261, 'ad:编程培训学校', ''),
    'ad-seafood.png': (999, 261, 'ad:海鲜酒家', ''),
    'ad-sports.png': (279, 415, 'ad:运动用品店', ''),
    'ad-theatre.png': (279, 373, 'ad:大剧院演出季', ''),
    'ad-travel.png': (279, 737, 'ad:海岛旅行社', ''),
    'demo-audience.png': (423, 392, 'choir', '茂腔剧场里，等待开演的观众。（示例图片，绘制）'),
    'demo-ship.png': (279, 182, 'harbour', '驶出港湾的船只。（示例图片，绘制）'),
    'city-alley.png': (423, 275, 'alley', '整治后的槐树巷：石板路面、墙根花池和巷口的老槐树。（示例图片，绘制）'),
    'city-elevator.png': (423, 275, 'elevator', '东山路小区三号楼新加装的外挂电梯，玻璃井道立在楼前。（示例图片，绘制）'),
    'city-library.png': (423, 485, 'library', '晚上七点的社区图书室，书架前的长桌边坐满了读者。（示例图片，绘制）'),
    'city-school.png': (423, 303, 'classroom', '新建小学的教室里，学生们坐在黑板前。（示例图片，绘制）'),
    'city-volunteer.png': (279, 443, 'street', '早上的校门口，护学志愿者护送学生过马路。（示例图片，绘制）'),
    'coast-clean.png': (279, 443, 'coast', '金沙湾海滩上清理垃圾的志愿者。（示例图片，绘制）'),
    'coast-island.png': (423, 275, 'island', '灵山岛依山而建的民宿和岛前的海面。（示例图片，绘制）'),
    'coast-kelp.png': (423, 79, 'fishing', '海带养殖区，海面上的渔船。（示例图片，绘制）'),
    'coast-rescue.png': (423, 653, 'rescue', '演练中，直升机在落水者上空盘旋，海面上漂着救生圈。（示例图片，绘制）'),
    'coast-shoreline.png': (423, 289, 'coast', '修复后的金沙湾：沙滩上散步的市民，海面上的渔船。（示例图片，绘制）'),
    'culture-choir.png': (279, 373, 'choir', '社区合唱团排练，团员分三排站立。（示例图片，绘制）'),
    'culture-exhibit.png': (423, 485, 'papercut', '美术馆展厅里，观众在画作前驻足。（示例图片，绘制）'),
    'culture-folksong.png': (423, 541, 'harbour', '渔港里停泊的渔船。（示例图片，绘制）'),
    'culture-heritage.png': (711, 303, 'classroom', '非遗工坊里，学员们跟着老师傅学手艺。（示例图片，绘制）'),
    'culture-oldstreet.png': (423, 275, 'old-house', '修缮后的德安街，老建筑前的行人。（示例图片，绘制）'),
    'economy-expo.png': (279, 471, 'hall', '食品博览会的展厅里，观众在展台前驻足。（示例图片，绘制）'),
    'economy-factory.png': (423, 527, 'hall', '老厂房改建的文创产业园里，墙上挂着设计作品。（示例图片，绘制）'),
    'economy-farm.png': (423, 219, 'farm', '现代农业产业园：田垄与连栋温室。（示例图片，绘制）'),
    'economy-night.png': (711, 275, 'market', '夜晚的中山路步行街，灯笼下的摊位前人来人往。（示例图片，绘制）'),
    'economy-port.png': (423, 191, 'warehouse', '物流园区的仓库与货车。（示例图片，绘制）'),
    'life-doctor.png': (423, 303, 'clinic-room', '社区卫生服务中心的候诊区。（示例图片，绘制）'),
    'life-elderly.png': (279, 261, 'canteen', '养老服务驿站的餐厅，老人们围着长桌用午餐。（示例图片，绘制）'),
    'life-market.png': (423, 191, 'market', '改造后的农贸市场，摊位上方挂着价格牌。（示例图片，绘制）'),
    'life-nursery.png': (423, 345, 'classroom', '托育机构的活动室。（示例图片，绘制）'),
    'life-tips.png': (423, 392, 'park', '冬日公园里散步的市民。（示例图片，绘制）'),
    'opinion-cartoon.png': (423, 163, 'alley', '插图：老城区的巷口，老槐树下的居民。（示例图片，绘制）'),
    'opinion-sea.png': (423, 625, 'coast', '插图：海滩上的行人与近海的渔船。（示例图片，绘制）'),
    'science-bus.png': (711, 261, 'station', '测试线路站台旁驶来的公交车。（示例图片，绘制）'),
    'science-digital.png': (423, 415, 'classroom', '社区教室里，老人们在学用智能手机。（示例图片，绘制）'),
    'science-robot.png': (423, 163, 'robot', '创客实验室里，学生们围看调试中的机器人。（示例图片，绘制）'),
    'science-seed.png': (423, 569, 'field', '沿海滩涂上的试验田。（示例图片，绘制）'),
    'science-stars.png': (567, 289, 'telescope', '科技馆楼顶观测平台上，市民用望远镜看星空。（示例图片，绘制）'),
    'sports-football.png': (423, 569, 'field', '校园足球联赛的赛场。（示例图片，绘制）'),
    'sports-pingpong.png': (423, 723, 'table-tennis', '乒乓球比赛中对攻的两名选手。（示例图片，绘制）'),
    'sports-sailing.png': (423, 247, 'sail', '海湾里训练的小帆船。（示例图片，绘制）'),
    'sports-taichi.png': (279, 667, 'park', '公园广场上晨练的市民。（示例图片，绘制）'),
    'sports-trail.png': (711, 261, 'track', '环湾健身步道上晨跑的市民。（示例图片，绘制）'),
    'supplement-memory.png': (423, 597, 'book', '插图：远山。（示例图片，绘制）'),
    'supplement-photo.png': (279, 401, 'harbour', '读者投稿：冬日海湾，港内停泊的渔船。（示例图片，绘制）'),
    'culture-oldphotos.png': (279, 821, 'old-house', '老照片里的德安街：老房子与街上的行人。（示例图片，绘制）'),
    'sports-stadium.png': (279, 527, 'court', '改造后的体育中心篮球馆。（示例图片，绘制）'),
    'science-water.png': (279, 513, 'desalination', '海水淡化厂的储水罐与输水管道。（示例图片，绘制）'),
    'opinion-bus.png': (279, 583, 'station', '插图：站台边候车的乘客与驶来的公交车。（示例图片，绘制）'),
    'supplement-recipe.png': (279, 471, 'canteen', '插图：厨房长桌边包海菜包子的一家人。（示例图片，绘制）'),
    'supplement-sea.png': (711, 303, 'painting', '插图：冬日海湾的远山与渔船。（示例图片，绘制）'),
}


def font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, max(8, int(size)))


def sky(d: ImageDraw.ImageDraw, w: int, h: int, horizon: float, top: int = 200, bottom: int = 235) -> None:
    for y in range(int(h * horizon)):
        g = int(top + (bottom - top) * y / max(1, h * horizon))
        d.line([(0, y), (w, y)], fill=g)


def buildings(d, w, h, base, n=7, shade=120, seed=3):
    x = 0
    for i in range(n):
        bw = w / n * (0.8 + 0.4 * ((i * seed) % 5) / 4)
        bh = h * (0.25 + 0.35 * ((i * 7 + seed) % 6) / 5)
        d.rectangle([x, base - bh, x + bw - 6, base], fill=shade + (i % 3) * 15)
        for wy in range(int(base - bh + 12), int(base - 10), 22):  # windows
            for wx in range(int(x + 8), int(x + bw - 18), 18):
                d.rectangle([wx, wy, wx + 8, wy + 10], fill=225)
        x += bw
        if x > w:
            break


def people(d, w, h, base, n=9, size=1.0, shade=60):
    for i in range(n):
        x = w * (i + 0.5) / n
        r = h * 0.035 * size
        d.ellipse([x - r, base - 6.5 * r, x + r, base - 4.5 * r], fill=shade)
        d.rounded_rectangle([x - 1.4 * r, base - 4.4 * r, x + 1.4 * r, base], radius=int(r), fill=shade + 20)


def waves(d, w, h, top, shade=110):
    for y in range(int(top), h):
        d.line([(0, y), (w, y)], fill=shade + int(40 * (y - top) / max(1, h - top)))
    for k in range(int(top) + 10, h, 16):
        d.arc([0, k, w, k + 30], 190, 350, fill=200, width=2)


def boat(d, x, y, s, shade=50, sail=False):
    d.polygon([(x, y), (x + 6 * s, y), (x + 5 * s, y + 1.3 * s), (x + s, y + 1.3 * s)], fill=shade)
    if sail:
        d.polygon([(x + 3 * s, y - 5 * s), (x + 3 * s, y - 0.2 * s), (x + 5.2 * s, y - 0.2 * s)], fill=235)
        d.line([(x + 3 * s, y - 5.2 * s), (x + 3 * s, y)], fill=40, width=3)
    else:
        d.rectangle([x + 2 * s, y - 1.5 * s, x + 4 * s, y], fill=shade + 60)


def scene(name: str, w: int, h: int) -> Image.Image:
    im = Image.new("L", (w, h), 235)
    d = ImageDraw.Draw(im)
    base = h * 0.78
    if name in ("elevator", "alley", "street", "library-front", "old-house", "clinic", "station"):
        sky(d, w, h, 0.8)
        d.rectangle([0, base, w, h], fill=170)
        buildings(d, w, h, base, n=5, seed=len(name))
        if name == "elevator":  # a glass lift shaft on the front of the block
            d.rectangle([w * 0.42, h * 0.18, w * 0.52, base], fill=200, outline=40, width=4)
            for y in range(int(h * 0.18), int(base), 30):
                d.line([(w * 0.42, y), (w * 0.52, y)], fill=90, width=2)
            d.rectangle([w * 0.44, h * 0.5, w * 0.50, h * 0.58], fill=80)
        if name == "alley":  # a lane of paving, a tree and flower beds
            d.polygon([(w * 0.35, h), (w * 0.65, h), (w * 0.53, base), (w * 0.47, base)], fill=150)
            d.rectangle([w * 0.12, h * 0.35, w * 0.15, base], fill=70)
            d.ellipse([w * 0.02, h * 0.12, w * 0.26, h * 0.45], fill=95)
            for i in range(6):
                d.ellipse([w * (0.6 + i * 0.06), h * 0.86, w * (0.64 + i * 0.06), h * 0.9], fill=60)
        if name == "station":  # a bus at the stop
            d.rounded_rectangle([w * 0.15, h * 0.55, w * 0.7, h * 0.85], radius=int(h * 0.03), fill=215, outline=40, width=4)
            for i in range(6):
                d.rectangle([w * (0.18 + i * 0.085), h * 0.6, w * (0.25 + i * 0.085), h * 0.7], fill=70)
            for x in (0.25, 0.6):
                d.ellipse([w * x - h * 0.05, h * 0.8, w * x + h * 0.05, h * 0.9], fill=30)
        people(d, w, h, h * 0.98, n=4, size=0.9)
    elif name in ("coast", "harbour", "island", "rescue", "sail", "fishing"):
        sky(d, w, h, 0.5)
        waves(d, w, h, h * 0.5)
        if name == "island":
            d.pieslice([w * 0.1, h * 0.3, w * 0.7, h * 0.75], 180, 360, fill=100)
            buildings(d, w * 0.5, h, h * 0.52, n=4, shade=170)
        if name in ("coast", "fishing"):
            d.polygon([(0, h * 0.6), (w * 0.45, h * 0.75), (w * 0.45, h), (0, h)], fill=190)  # beach
            people(d, w * 0.45, h, h * 0.93, n=3)
        for i in range(3 if name != "sail" else 5):
            boat(d, w * (0.5 + 0.1 * i) - (w * 0.4 if name == "sail" else 0), h * (0.6 + 0.08 * i), w * 0.025,
                 sail=name == "sail")
        if name == "rescue":
            d.ellipse([w * 0.3, h * 0.7, w * 0.36, h * 0.76], outline=30, width=8)
            d.polygon([(w * 0.7, h * 0.12), (w * 0.9, h * 0.12), (w * 0.85, h * 0.2), (w * 0.72, h * 0.2)], fill=60)
            d.line([(w * 0.65, h * 0.1), (w * 0.95, h * 0.1)], fill=40, width=4)
    elif name in ("farm", "park", "track", "field"):
        sky(d, w, h, 0.45)
        d.rectangle([0, h * 0.45, w, h], fill=150)
        for i in range(14):  # rows of crops, or the lanes of a track
            y = h * 0.48 + i * h * 0.04
            d.line([(0, y), (w, y + (h * 0.1 if name == "farm" else 0))], fill=110 if i % 2 else 185, width=5)
        if name == "farm":
            d.rectangle([w * 0.65, h * 0.25, w * 0.95, h * 0.46], fill=215, outline=60, width=3)  # a greenhouse
            for x in range(int(w * 0.65), int(w * 0.95), 18):
                d.line([(x, h * 0.25), (x, h * 0.46)], fill=120)
        else:
            people(d, w, h, h * 0.9, n=6, size=1.1)
    elif name in ("stage", "choir", "classroom", "hall", "court", "table-tennis", "robot", "papercut", "market",
                  "library", "clinic-room", "canteen"):
        d.rectangle([0, 0, w, h * 0.6], fill=90 if name in ("stage", "choir", "market") else 205)
        d.rectangle([0, h * 0.6, w, h], fill=170)
        if name == "stage":
            d.polygon([(w * 0.1, 0), (w * 0.3, 0), (w * 0.45, h * 0.6), (w * 0.25, h * 0.6)], fill=160)
            people(d, w, h, h * 0.6, n=3, size=1.6, shade=30)
        if name == "choir":
            for row in range(3):
                people(d, w, h, h * (0.5 + row * 0.15), n=9 - row, size=0.8, shade=40 + row * 30)
        if name in ("classroom", "robot"):
            d.rectangle([w * 0.1, h * 0.1, w * 0.6, h * 0.4], fill=60)  # board
            if name == "robot":
                d.rectangle([w * 0.62, h * 0.55, w * 0.8, h * 0.75], fill=70)
                d.rectangle([w * 0.66, h * 0.42, w * 0.76, h * 0.55], fill=90)
                d.ellipse([w * 0.63, h * 0.73, w * 0.69, h * 0.8], fill=30)
                d.ellipse([w * 0.73, h * 0.73, w * 0.79, h * 0.8], fill=30)
            people(d, w, h, h * 0.98, n=6)
        if name in ("hall", "papercut"):
            for i in range(4):  # frames on a wall
                x = w * (0.05 + 0.24 * i)
                d.rectangle([x, h * 0.1, x + w * 0.18, h * 0.45], fill=245, outline=60, width=4)
                if name == "papercut":
                    d.ellipse([x + w * 0.03, h * 0.16, x + w * 0.15, h * 0.38], outline=70, width=6)
                    d.line([(x + w * 0.09, h * 0.12), (x + w * 0.09, h * 0.43)], fill=70, width=4)
            people(d, w, h, h * 0.97, n=5)
        if name in ("library", "clinic-room", "canteen"):  # shelves (or cabinets) along the wall, a long table
            for i in range(5):
                x = w * (0.02 + 0.2 * i)
                d.rectangle([x, h * 0.05, x + w * 0.17, h * 0.55], fill=120, outline=50, width=3)
                for y in range(int(h * 0.08), int(h * 0.55), int(h * 0.1)):
                    d.line([(x, y), (x + w * 0.17, y)], fill=50, width=3)
                    if name == "library":
                        for bx in range(int(x + 4), int(x + w * 0.17 - 6), 9):
                            d.rectangle([bx, y - h * 0.08, bx + 6, y - 2], fill=180 + (bx * 7) % 60)
            d.rectangle([w * 0.1, h * 0.72, w * 0.9, h * 0.78], fill=90)
            people(d, w, h, h * 0.8, n=6, size=0.9)
        if name == "court":
            d.rectangle([w * 0.8, h * 0.15, w * 0.95, h * 0.3], outline=40, width=5)
            d.ellipse([w * 0.82, h * 0.3, w * 0.9, h * 0.34], outline=40, width=4)
            d.ellipse([w * 0.5, h * 0.25, w * 0.56, h * 0.33], fill=70)
            people(d, w, h, h * 0.95, n=5, size=1.3)
        if name == "table-tennis":
            d.rectangle([w * 0.2, h * 0.62, w * 0.8, h * 0.7], fill=60)
            d.line([(w * 0.5, h * 0.57), (w * 0.5, h * 0.7)], fill=230, width=4)
            people(d, w, h, h * 0.95, n=2, size=1.6)
        if name == "market":
            for i in range(8):  # lanterns over stalls
                d.ellipse([w * (0.05 + i * 0.12), h * 0.1, w * (0.1 + i * 0.12), h * 0.18], fill=220)
                d.rectangle([w * (0.02 + i * 0.12), h * 0.45, w * (0.12 + i * 0.12), h * 0.6], fill=140)
            people(d, w, h, h * 0.97, n=7)
    elif name in ("stars", "telescope"):
        d.rectangle([0, 0, w, h], fill=40)
        for i in range(120):
            x, y = (i * 97) % w, (i * 53) % int(h * 0.7)
            d.ellipse([x, y, x + 3, y + 3], fill=230)
        d.rectangle([0, h * 0.8, w, h], fill=80)
        d.line([(w * 0.5, h * 0.8), (w * 0.62, h * 0.45)], fill=200, width=int(h * 0.04))
        people(d, w, h, h * 0.98, n=4, shade=120)
    elif name in ("plant", "warehouse", "desalination"):
        sky(d, w, h, 0.6)
        d.rectangle([0, h * 0.6, w, h], fill=160)
        for i in range(4):  # tanks or sheds
            x = w * (0.05 + 0.23 * i)
            if name == "warehouse":
                d.rectangle([x, h * 0.35, x + w * 0.2, h * 0.62], fill=130 + 10 * i)
                d.polygon([(x, h * 0.35), (x + w * 0.1, h * 0.25), (x + w * 0.2, h * 0.35)], fill=100)
            else:
                d.ellipse([x, h * 0.3, x + w * 0.18, h * 0.62], fill=190, outline=70, width=4)
        d.line([(0, h * 0.7), (w, h * 0.7)], fill=80, width=8)  # a pipeline or a road
        for i in range(3):
            d.rectangle([w * (0.1 + 0.3 * i), h * 0.74, w * (0.2 + 0.3 * i), h * 0.82], fill=70)  # trucks
    elif name in ("painting", "book"):
        d.rectangle([0, 0, w, h], fill=228)
        for i in range(5):  # ink-wash hills
            g = 90 + i * 25
            d.pieslice([w * (i * 0.2 - 0.2), h * (0.25 + 0.08 * i), w * (i * 0.2 + 0.5), h * (1.2 + 0.08 * i)], 180, 360, fill=g)
        d.ellipse([w * 0.75, h * 0.08, w * 0.85, h * 0.2], fill=160)
        boat(d, w * 0.55, h * 0.85, w * 0.02)
    else:
        raise ValueError(f"no scene {name!r}")
    return im


def advert(name: str, w: int, h: int) -> Image.Image:
    im = Image.new("L", (w, h), 225)
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, w - 1, h - 1], outline=30, width=6)
    d.rectangle([w * 0.03, h * 0.12, w * 0.35, h * 0.88], fill=150)
    for i in range(5):
        d.rectangle([w * (0.40 + i * 0.11), h * 0.55, w * (0.48 + i * 0.11), h * 0.85], fill=110 + i * 15)
    size = min(h * 0.25, w * 0.06)
    d.text((w * 0.40, h * 0.12), name, font=font(size), fill=20)
    d.text((w * 0.40, h * 0.12 + size * 1.3), "示例广告　虚构商家　仅为演示排版", font=font(size * 0.45), fill=40)
    return im


def label(im: Image.Image, text: str) -> None:
    d = ImageDraw.Draw(im)
    f = font(im.height * 0.05 if im.height < im.width else im.width * 0.045)
    x0, y0, x1, y1 = d.textbbox((0, 0), text, font=f)
    pad = (y1 - y0) * 0.4
    m = round(min(im.width, im.height) * 0.08)  # inset: a picture set to `fill` may lose its edges
    d.rectangle([m, m, m + x1 - x0 + 2 * pad, m + y1 - y0 + 2 * pad], fill=255)
    d.text((m + pad - x0, m + pad - y0), text, font=f, fill=0)


def main() -> None:
    for file, (wpt, hpt, what, text) in sorted(PICTURES.items()):
        w, h = round(wpt * PT), round(hpt * PT)
        if what.startswith("ad:"):
            im = advert(what[3:], w, h)
        else:
            im = scene(what, w, h)
            label(im, "示例图片（绘制）")
        im.save(HERE / file, optimize=True)


if __name__ == "__main__":
    main()
